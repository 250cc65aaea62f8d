import { CALLS_STREAM, PRESENCE_BUCKET, callEventSubjects, commandSubjects, inboxPrefix, presenceSubjects } from '../../../shared/src/protocol/districtSubjects.ts';

/** A NATS user's publish/subscribe permissions, in nats-server's configuration shape. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  allow_responses?: boolean;
}

/**
 * A station may write only its own presence keys and call events, read only
 * its own commands and its own inbox, and answer the requests it is sent.
 * It does not create or read streams: the district provisions them.
 */
export function stationPermissions(station: string): NatsPermissions {
  return {
    publish: {
      allow: [
        presenceSubjects(station),
        callEventSubjects(station),
        '$JS.API.INFO',
        `$JS.API.STREAM.INFO.KV_${PRESENCE_BUCKET}`,
        `$JS.API.STREAM.INFO.${CALLS_STREAM}`,
      ],
    },
    subscribe: { allow: [commandSubjects(station), `${inboxPrefix(station)}.>`] },
    allow_responses: true,
  };
}

/** The district relay reads everything, provisions the bucket and stream, and sends commands; it writes no station's data. */
export function districtPermissions(district: string): NatsPermissions {
  return {
    publish: { allow: ['hp.cmd.>', '$JS.API.>', '$JS.ACK.>', '$JS.FC.>', `${inboxPrefix(district)}.>`] },
    subscribe: { allow: ['>'] },
  };
}
