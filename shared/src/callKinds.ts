// What a call is. One list for the database CHECK (migration 005), the wire
// schemas and the console; no TypeBox here so the console can import it.
// The types (CallKind, CallViewKind, CallState) come with the schemas in protocol/common.ts.

/** What a terminal may raise: the resident's button, or the door switch (queued above help calls). */
export const TERMINAL_CALL_KINDS = ['help', 'tamper'] as const;

/** Every kind of call record: a terminal's call, or an officer's look-in at its camera (never rings). */
export const CALL_KINDS = [...TERMINAL_CALL_KINDS, 'lookin'] as const;

export const CALL_STATES = ['ringing', 'answered', 'ended'] as const;
