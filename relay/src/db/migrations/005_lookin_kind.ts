import type { Migration } from './Migration.ts';

// Look-ins become a call kind of their own. Until now they were stored as kind
// 'help' with a 'lookin:' request-id prefix, because the kind column's CHECK
// (migration 003) allowed only help/tamper and SQLite cannot widen a CHECK in
// place: the table is rebuilt (SQLite's "12 steps": new table, copy, drop,
// rename, indexes again) with foreign keys off so the call_events,
// dispositions and media rows that point at calls are kept, then checked.
export const migration005: Migration = {
  version: 5,
  name: 'lookin_kind',
  foreignKeysOff: true,
  up: `
CREATE TABLE calls_new (
  id           TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL UNIQUE,
  terminal_id  TEXT NOT NULL REFERENCES terminals (id),
  state        TEXT NOT NULL CHECK (state IN ('ringing', 'answered', 'ended')),
  created_at   INTEGER NOT NULL,
  rang_at      INTEGER,
  answered_at  INTEGER,
  answered_by  INTEGER REFERENCES users (id),
  ended_at     INTEGER,
  end_reason   TEXT,
  ended_by     TEXT CHECK (ended_by IN ('officer', 'terminal', 'relay')),
  kind         TEXT NOT NULL DEFAULT 'help' CHECK (kind IN ('help', 'tamper', 'lookin')),
  escalated_at INTEGER,
  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
  CHECK ((state = 'ended') = (end_reason IS NOT NULL))
) STRICT;
INSERT INTO calls_new (id, request_id, terminal_id, state, created_at, rang_at, answered_at, answered_by, ended_at, end_reason, ended_by, kind, escalated_at)
  SELECT id, request_id, terminal_id, state, created_at, rang_at, answered_at, answered_by, ended_at, end_reason, ended_by,
         CASE WHEN request_id LIKE 'lookin:%' THEN 'lookin' ELSE kind END, escalated_at
  FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_terminal_created ON calls (terminal_id, created_at);
CREATE INDEX calls_state ON calls (state);
CREATE INDEX calls_created ON calls (created_at);
CREATE INDEX calls_answered_by ON calls (answered_by);
CREATE INDEX calls_kind ON calls (kind);
`,
};
