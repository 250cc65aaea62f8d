import type { KioskConfig } from '../../config.ts';

/**
 * The `gpio=` lines for the Pi firmware's config.txt. The firmware applies
 * them at power-on, seconds before Linux runs, which matters twice: sysfs GPIO
 * (onoff) cannot set pulls at all, and without a pull-up the button line on
 * GPIO 9-27 (pull-down by default) reads "pressed" from power-on. The
 * character-device backend sets the same pulls itself once it runs; these
 * lines cover the boot before that and the sysfs backend. The LED is driven
 * low (dark) from power-on instead of floating.
 */
export function configTxtGpioLines(gpio: Pick<KioskConfig['gpio'], 'button' | 'led' | 'tamper' | 'tamperNo'>, opts: { buttonActiveLow?: boolean; ledActiveLow?: boolean } = {}): string[] {
  const tamper = [gpio.tamper, gpio.tamperNo].filter((p): p is number => p != null);
  return [
    '# HelpPoint kiosk: pulls and levels set by the firmware at power-on, before Linux starts.',
    '# Help button between the pin and ground: input with pull-up (it reads 0 while pressed).',
    `gpio=${gpio.button}=ip,${opts.buttonActiveLow === false ? 'pd' : 'pu'}`,
    ...(tamper.length
      ? ['# Door switch (changeover: NC, NO contacts, common at ground): inputs with pull-ups.', `gpio=${tamper.join(',')}=ip,pu`]
      : []),
    '# Status LED: output, dark from power-on.',
    `gpio=${gpio.led}=op,${opts.ledActiveLow ? 'dh' : 'dl'}`,
  ];
}
