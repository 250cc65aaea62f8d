/**
 * NATS names for district federation. One station may publish only under its
 * own ID (the server's permissions say so, see scripts/lib/nats/natsConfig.ts).
 */
export const PRESENCE_BUCKET = 'hp_presence';
export const CALLS_STREAM = 'HP_CALLS';

/** Key of a terminal's presence entry: `<station>.<terminal>` (KV keys allow dots and dashes). */
export const presenceKey = (station: string, terminalId: string): string => `${station}.${terminalId}`;
export const stationKey = (station: string): string => `${station}._station`;
/** Subjects a station writes its presence keys under. */
export const presenceSubjects = (station: string): string => `$KV.${PRESENCE_BUCKET}.${station}.>`;

export const callEventSubject = (station: string, type: string): string => `hp.calls.${station}.${type}`;
export const callEventSubjects = (station: string): string => `hp.calls.${station}.>`;
export const ALL_CALL_EVENTS = 'hp.calls.>';

export type DistrictCommand = 'answer' | 'lookin' | 'hangup';
export const commandSubject = (station: string, command: DistrictCommand): string => `hp.cmd.${station}.${command}`;
export const commandSubjects = (station: string): string => `hp.cmd.${station}.>`;

/** Each station's replies come to its own inbox prefix, so no station can read another's. */
export const inboxPrefix = (who: string): string => `_INBOX_${who}`;
