import type { Migration } from './Migration.ts';

// Terminal health history, alarms and self-tests (issue 5).
// Raw heartbeat samples are kept only for a short window; older ones are folded
// into 5-minute aggregates, which are kept for weeks. That keeps a fleet of a
// few hundred terminals heartbeating every 10 s to a bounded database.
export const migration004: Migration = {
  version: 4,
  name: 'terminal_health',
  up: `
CREATE TABLE health_samples (
  terminal_id  TEXT NOT NULL REFERENCES terminals (id) ON DELETE CASCADE,
  at           INTEGER NOT NULL,
  cpu_temp_c   REAL,
  rssi_dbm     REAL,
  rtt_ms       REAL,
  load1        REAL,
  -- the whole report as sent, for the terminal page's "latest" box
  health       TEXT NOT NULL CHECK (json_valid(health)),
  PRIMARY KEY (terminal_id, at)
) STRICT, WITHOUT ROWID;

CREATE TABLE health_aggregates (
  terminal_id   TEXT NOT NULL REFERENCES terminals (id) ON DELETE CASCADE,
  bucket_start  INTEGER NOT NULL,
  samples       INTEGER NOT NULL CHECK (samples > 0),
  cpu_temp_avg  REAL,
  cpu_temp_max  REAL,
  rssi_avg      REAL,
  rssi_min      REAL,
  rtt_avg       REAL,
  rtt_max       REAL,
  PRIMARY KEY (terminal_id, bucket_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE self_tests (
  id           INTEGER PRIMARY KEY,
  terminal_id  TEXT NOT NULL REFERENCES terminals (id) ON DELETE CASCADE,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL,
  trigger      TEXT NOT NULL,
  passed       INTEGER NOT NULL CHECK (passed IN (0, 1)),
  report       TEXT NOT NULL CHECK (json_valid(report))
) STRICT;
CREATE INDEX self_tests_terminal ON self_tests (terminal_id, finished_at);

CREATE TABLE terminal_alarms (
  id           INTEGER PRIMARY KEY,
  terminal_id  TEXT NOT NULL REFERENCES terminals (id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('tamper')),
  raised_at    INTEGER NOT NULL,
  cleared_at   INTEGER,
  CHECK (cleared_at IS NULL OR cleared_at >= raised_at)
) STRICT;
-- at most one open alarm of a kind per terminal
CREATE UNIQUE INDEX terminal_alarms_open ON terminal_alarms (terminal_id, kind) WHERE cleared_at IS NULL;

-- /healthz writes here to prove the database is writable, not just readable.
CREATE TABLE relay_liveness (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  at  INTEGER NOT NULL
) STRICT;
`,
};
