/**
 * Escapes a value for use as a filter option inside an -i lavfi / -vf graph.
 * ffmpeg unescapes twice: once when splitting the graph (at , ; [ ]) and once
 * when splitting the filter's options (at : and =), so a location label such
 * as "Gate 3: East, 'A'" needs both levels or it breaks the graph.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
