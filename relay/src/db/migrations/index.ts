import type { Migration } from './Migration.ts';
import { migration001 } from './001_initial.ts';
import { migration004 } from './004_health.ts';

export type { Migration } from './Migration.ts';

// BRANCH-LOCAL (issue 5): versions 2 and 3 belong to branches merged in
// parallel. Until they land, these empty stand-ins keep the list gap-free;
// at merge, replace them with the real migration002/migration003.
const pending = (version: number): Migration => ({ version, name: `reserved_${version}`, up: 'SELECT 1;' });

/** Every migration the code knows, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [migration001, pending(2), pending(3), migration004];
