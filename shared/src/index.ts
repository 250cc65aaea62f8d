export * from './errors.ts';
export * from './endReasons.ts';
export * from './backoff.ts';
export * from './events.ts';
export * from './protocol/index.ts';
export * from './wire.ts';
export * from './rpc.ts';
export * from './disposition.ts';
