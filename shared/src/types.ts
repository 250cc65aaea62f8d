/**
 * The contract as types only (`@helppoint/shared/types`): every wire message,
 * view and REST body as a `Static<>` type, importable anywhere with
 * `import type` and erased at build time. The console takes its types from
 * here, so it never keeps its own copy of a server record.
 */
export type * from './index.ts';
