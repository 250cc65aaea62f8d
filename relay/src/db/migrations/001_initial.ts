import type { Migration } from './Migration.ts';

// Times are milliseconds since the epoch (INTEGER) everywhere.
// STRICT tables make SQLite reject values of the wrong type instead of storing them.
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up: `
CREATE TABLE terminals (
  id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL CHECK (length(name) > 0),
  name_en     TEXT NOT NULL DEFAULT '',
  address     TEXT NOT NULL CHECK (length(address) > 0),
  hutong      TEXT NOT NULL DEFAULT '',
  district    TEXT NOT NULL DEFAULT '西城区',
  -- every help point is a surveyed place: the officer must see it on the map
  latitude    REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude   REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  kind        TEXT NOT NULL DEFAULT 'other'
                CHECK (kind IN ('school', 'kindergarten', 'hutong', 'other')),
  notes       TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) > 0),
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL
                   CHECK (role IN ('officer', 'supervisor', 'technician', 'field', 'admin')),
  password_hash  TEXT NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE calls (
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
  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
  CHECK ((state = 'ended') = (end_reason IS NOT NULL))
) STRICT;
CREATE INDEX calls_terminal_created ON calls (terminal_id, created_at);
CREATE INDEX calls_state ON calls (state);

CREATE TABLE call_events (
  id       INTEGER PRIMARY KEY,
  call_id  TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  at       INTEGER NOT NULL,
  type     TEXT NOT NULL,
  actor    TEXT,
  detail   TEXT CHECK (detail IS NULL OR json_valid(detail))
) STRICT;
CREATE INDEX call_events_call ON call_events (call_id);

CREATE TABLE sessions (
  token_hash    TEXT PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
`,
};
