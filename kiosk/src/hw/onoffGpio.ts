import type { GpioFactory } from './GpioLine.ts';

/**
 * The one place that loads onoff. It is imported lazily, from the real
 * drivers' create(), so the simulated drivers and the tests run on machines
 * where onoff's native epoll addon cannot load or there is no GPIO.
 */
export async function loadOnoffGpio(): Promise<GpioFactory> {
  const { Gpio } = await import('onoff');
  return (req) => new Gpio(req.gpio, req.direction, req.edge, { debounceTimeout: req.debounceTimeout ?? 0 });
}
