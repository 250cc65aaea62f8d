import type { Migration } from './Migration.ts';

// District federation (issue 14): call events for the district wait here until
// JetStream has acknowledged them, so a NATS outage loses none and the
// district gets each once (msg_id is also the Nats-Msg-Id the stream dedups on).
// The district relay keeps what it applied in district_call_events.
export const migration006: Migration = {
  version: 6,
  name: 'district_outbox',
  up: `
CREATE TABLE district_outbox (
  id          INTEGER PRIMARY KEY,
  msg_id      TEXT NOT NULL UNIQUE,
  subject     TEXT NOT NULL,
  payload     TEXT NOT NULL CHECK (json_valid(payload)),
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX district_outbox_pending ON district_outbox (id) WHERE sent_at IS NULL;

-- At the district relay: every station call event applied, once (the primary key is the
-- event's id, <callId>:<type>), so a redelivery after an outage changes nothing and a
-- restarted district relay rebuilds its list of open calls from here.
CREATE TABLE district_call_events (
  id           TEXT PRIMARY KEY,
  station      TEXT NOT NULL,
  call_id      TEXT NOT NULL,
  type         TEXT NOT NULL,
  at           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  payload      TEXT NOT NULL CHECK (json_valid(payload))
) STRICT;
CREATE INDEX district_call_events_call ON district_call_events (station, call_id);
CREATE INDEX district_call_events_received ON district_call_events (received_at);
`,
};
