import type { Migration } from './Migration.ts';

// The duty desk: what kind of call (tamper alarms queue above help calls),
// when it escalated, the officer's disposition, and the evidence files
// (snapshots and recordings) kept with each call.
export const migration003: Migration = {
  version: 3,
  name: 'duty_desk',
  up: `
ALTER TABLE calls ADD COLUMN kind TEXT NOT NULL DEFAULT 'help' CHECK (kind IN ('help', 'tamper'));
ALTER TABLE calls ADD COLUMN escalated_at INTEGER;
CREATE INDEX calls_created ON calls (created_at);
CREATE INDEX calls_answered_by ON calls (answered_by);

CREATE TABLE call_dispositions (
  call_id        TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  incident_type  TEXT NOT NULL CHECK (incident_type IN
                   ('medical', 'crime', 'dispute', 'lost_person', 'fire', 'traffic', 'inquiry', 'false_alarm', 'test', 'other')),
  outcome        TEXT NOT NULL CHECK (outcome IN
                   ('resolved_by_phone', 'officers_dispatched', 'referred', 'no_contact', 'prank', 'other')),
  notes          TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
  dispatched     INTEGER NOT NULL CHECK (dispatched IN (0, 1)),
  recorded_by    INTEGER NOT NULL REFERENCES users (id),
  recorded_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX call_dispositions_outcome ON call_dispositions (outcome);

-- Files live under the relay's media directory; rows outlive them (deleted_at)
-- so the history still says a recording existed and when retention removed it.
CREATE TABLE call_media (
  id           INTEGER PRIMARY KEY,
  call_id      TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('snapshot', 'recording')),
  file         TEXT NOT NULL UNIQUE CHECK (file NOT LIKE '%..%' AND substr(file, 1, 1) <> '/'),
  mime         TEXT NOT NULL,
  bytes        INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  taken_by     INTEGER REFERENCES users (id),
  deleted_at   INTEGER
) STRICT;
CREATE INDEX call_media_call ON call_media (call_id);
CREATE INDEX call_media_created ON call_media (created_at);
`,
};
