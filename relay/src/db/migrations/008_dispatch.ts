import type { Migration } from './Migration.ts';

// Dispatch (issue 13): responders (community police, patrol, guards,
// volunteers) with a unit name and kind, their duty state and positions, and
// each call's dispatches with every status change timestamped.
//
// users.role has a CHECK that cannot be widened in place, so users is rebuilt
// (SQLite's documented 12-step procedure; migrate() runs this migration with
// foreign keys off and checks them before committing).
export const migration008: Migration = {
  version: 8,
  name: 'dispatch',
  foreignKeysOff: true,
  up: `
CREATE TABLE users_new (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) > 0),
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL
                   CHECK (role IN ('officer', 'supervisor', 'technician', 'field', 'admin', 'responder')),
  password_hash  TEXT NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at     INTEGER NOT NULL
) STRICT;
INSERT INTO users_new (id, username, display_name, role, password_hash, disabled, created_at)
  SELECT id, username, display_name, role, password_hash, disabled, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- One row per responder account. The last position is kept here only while on
-- duty (going off duty clears it); the history lives in responder_positions
-- until the retention sweep deletes it.
CREATE TABLE responders (
  user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  unit_name     TEXT NOT NULL CHECK (length(unit_name) BETWEEN 1 AND 64),
  kind          TEXT NOT NULL CHECK (kind IN ('community_police', 'patrol', 'guard', 'volunteer')),
  on_duty       INTEGER NOT NULL DEFAULT 0 CHECK (on_duty IN (0, 1)),
  duty_changed_at INTEGER,
  latitude      REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
  longitude     REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
  accuracy_m    REAL,
  position_at   INTEGER,
  CHECK (on_duty = 1 OR latitude IS NULL)
) STRICT;

CREATE TABLE responder_positions (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  latitude    REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude   REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  accuracy_m  REAL
) STRICT;
CREATE INDEX responder_positions_at ON responder_positions (at);
CREATE INDEX responder_positions_user ON responder_positions (user_id, at);

CREATE TABLE dispatches (
  id             INTEGER PRIMARY KEY,
  call_id        TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  responder_id   INTEGER NOT NULL REFERENCES users (id),
  dispatched_by  INTEGER NOT NULL REFERENCES users (id),
  status         TEXT NOT NULL CHECK (status IN ('assigned', 'accepted', 'en_route', 'on_scene', 'done', 'refused', 'cancelled')),
  -- metres, as ranked when assigned (along the alleys, or straight line x detour)
  distance_m     REAL,
  dispatched_at  INTEGER NOT NULL,
  accepted_at    INTEGER,
  en_route_at    INTEGER,
  on_scene_at    INTEGER,
  done_at        INTEGER,
  refused_at     INTEGER,
  cancelled_at   INTEGER,
  escalated_at   INTEGER,
  note           TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  refuse_reason  TEXT NOT NULL DEFAULT '' CHECK (length(refuse_reason) <= 200)
) STRICT;
CREATE INDEX dispatches_call ON dispatches (call_id);
CREATE INDEX dispatches_responder ON dispatches (responder_id, status);
CREATE INDEX dispatches_at ON dispatches (dispatched_at);
-- A responder has at most one open job per call.
CREATE UNIQUE INDEX dispatches_open ON dispatches (call_id, responder_id)
  WHERE status IN ('assigned', 'accepted', 'en_route', 'on_scene');
`,
};
