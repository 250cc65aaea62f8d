import type { Migration } from './Migration.ts';

// Kiosk updates (issue 10): the .deb packages an admin uploaded (the file lives
// under <data dir>/packages/<sha256>.deb; the fields come from dpkg-deb), and
// one rollout row per terminal and package, from pending to what the terminal
// reported. A terminal has at most one open rollout: a newer one replaces it.
export const migration009: Migration = {
  version: 9,
  name: 'kiosk_updates',
  up: `
CREATE TABLE kiosk_packages (
  sha256       TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  package      TEXT NOT NULL,
  version      TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 32),
  architecture TEXT NOT NULL CHECK (length(architecture) BETWEEN 1 AND 16),
  size         INTEGER NOT NULL CHECK (size > 0),
  uploaded_by  TEXT NOT NULL,
  uploaded_at  INTEGER NOT NULL,
  UNIQUE (version, architecture)
) STRICT;

CREATE TABLE kiosk_rollouts (
  id           INTEGER PRIMARY KEY,
  terminal_id  TEXT NOT NULL REFERENCES terminals (id) ON DELETE CASCADE,
  sha256       TEXT NOT NULL REFERENCES kiosk_packages (sha256),
  state        TEXT NOT NULL CHECK (state IN ('pending', 'offered', 'downloading', 'downloaded', 'waiting_idle', 'installing', 'confirming', 'updated', 'rolled_back', 'failed', 'superseded')),
  reason       TEXT CHECK (reason IS NULL OR length(reason) <= 400),
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  offered_at   INTEGER,
  updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX kiosk_rollouts_terminal ON kiosk_rollouts (terminal_id, id);
CREATE UNIQUE INDEX kiosk_rollouts_open ON kiosk_rollouts (terminal_id)
  WHERE state NOT IN ('updated', 'rolled_back', 'failed', 'superseded');
`,
};
