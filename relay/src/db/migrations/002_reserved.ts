import type { Migration } from './Migration.ts';

// Version 2 belongs to the accounts/enrolment branch (issue 3). This branch
// only needs the numbering to stay gapless; at merge the real 002 replaces this
// file and its entry in index.ts.
export const migration002: Migration = {
  version: 2,
  name: 'reserved',
  up: '',
};
