/**
 * The contract's run-time helpers WITHOUT TypeBox: what the browser console
 * imports (`@helppoint/shared/runtime`). Nothing reachable from this file may
 * import `typebox` at run time (only `import type`); entryPoints.test.ts
 * walks the imports and fails if one does. Schemas live in the main entry
 * (`@helppoint/shared`, relay and kiosk); types only in `@helppoint/shared/types`.
 */
export * from './errors.ts';
export * from './endReasons.ts';
export * from './callKinds.ts';
export * from './permissions.ts';
export * from './backoff.ts';
export * from './events.ts';
export * from './rpc.ts';
export * from './iceRecovery.ts';
export * from './disposition.ts';
export * from './protocol/limits.ts';
