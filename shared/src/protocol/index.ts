export * from './common.ts';
export * from './envelope.ts';
export * from './limits.ts';
export * from './spec.ts';
export * from './rtc.ts';
export * from './views.ts';
export * from './health.ts';
export { TerminalRequests, TerminalEvents } from './terminal.ts';
export { ConsoleRequests, ConsoleEvents } from './console.ts';
