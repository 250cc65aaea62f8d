/**
 * The largest WebSocket frame either gateway accepts. The biggest legitimate
 * message is a console's rtc.consume carrying Chromium's full RTP
 * capabilities (about 10 KB); 64 KiB leaves room without letting a peer make
 * the relay buffer megabytes.
 */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Terminals send a heartbeat this often; three missed ones mean offline. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const HEARTBEAT_MISSES_OFFLINE = 3;

/** How long a long press must be held to cancel a call. */
export const LONG_PRESS_MS = 2_000;

/**
 * The pre-press evidence clip (issue 15): at most this much of it may come
 * from before the press (the kiosk keeps 3 s by default), and the relay takes
 * at most PRE_PRESS_MAX_BYTES of WebM for one call.
 */
export const PRE_PRESS_MAX_BEFORE_MS = 10_000;
export const PRE_PRESS_MAX_BYTES = 8 * 1024 * 1024;
