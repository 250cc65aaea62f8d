import type { Migration } from './Migration.ts';

// Hardening (issue 16): secrets the relay keeps across restarts (the key that
// signs known-device cookies), and indexes the retention sweeps delete by.
export const migration007: Migration = {
  version: 7,
  name: 'hardening',
  up: `
CREATE TABLE relay_secrets (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL CHECK (length(value) >= 32),
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX self_tests_finished ON self_tests (finished_at);
`,
};
