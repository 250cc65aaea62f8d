import type { Migration } from './Migration.ts';

// Device keys, one-time enrolment codes and the audit log (issue 3).
// The relay keeps only a terminal's public key; the private key never leaves the Pi.
export const migration002: Migration = {
  version: 2,
  name: 'trust',
  up: `
-- raw 32-byte Ed25519 public key, base64; NULL until the terminal is enrolled
ALTER TABLE terminals ADD COLUMN public_key TEXT CHECK (public_key IS NULL OR length(public_key) = 44);
-- sha256 of the raw key, hex, shown to technicians so they can compare with the Pi
ALTER TABLE terminals ADD COLUMN key_fingerprint TEXT;
ALTER TABLE terminals ADD COLUMN enrolled_at INTEGER;
-- set when a technician revokes the key (stolen or replaced Pi); cleared by re-enrolment
ALTER TABLE terminals ADD COLUMN revoked_at INTEGER;

CREATE TABLE enrolment_codes (
  id           INTEGER PRIMARY KEY,
  -- sha256 hex of the normalised code; the code itself is shown once and never stored
  code_hash    TEXT NOT NULL UNIQUE,
  terminal_id  TEXT NOT NULL REFERENCES terminals (id),
  -- NULL when made with the relay CLI on the station host
  created_by   INTEGER REFERENCES users (id),
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  used_at      INTEGER,
  -- set when a newer code for the same terminal replaced this one before use
  cancelled_at INTEGER
) STRICT;
CREATE INDEX enrolment_codes_terminal ON enrolment_codes (terminal_id);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  -- who: user:<username>, terminal:<id>, cli, or anonymous
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  target   TEXT,
  outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
  detail   TEXT CHECK (detail IS NULL OR json_valid(detail)),
  remote   TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
`,
};
