// Why a call ended. One enum for the database, the wire, logs and the console.
export const EndReason = {
  OfficerHangup: 'officer_hangup',
  TerminalHangup: 'terminal_hangup',
  Cancelled: 'cancelled',
  NoAnswer: 'no_answer',
  TerminalLost: 'terminal_lost',
  MaxDuration: 'max_duration',
  MediaFailed: 'media_failed',
  RelayRestart: 'relay_restart',
  // outages (issue 6): pressed while the relay was unreachable, delivered later from the kiosk's outbox
  Missed: 'missed',
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];
/** In declaration order; EndReasonSchema (the wire) and the console's filter are built from it. */
export const END_REASONS = [
  EndReason.OfficerHangup,
  EndReason.TerminalHangup,
  EndReason.Cancelled,
  EndReason.NoAnswer,
  EndReason.TerminalLost,
  EndReason.MaxDuration,
  EndReason.MediaFailed,
  EndReason.RelayRestart,
  EndReason.Missed,
] as const satisfies readonly EndReason[];

/** Chinese / English labels for the console and reports. */
export const END_REASON_LABELS: Record<EndReason, { zh: string; en: string }> = {
  officer_hangup: { zh: '民警挂断', en: 'Officer hung up' },
  terminal_hangup: { zh: '终端挂断', en: 'Terminal hung up' },
  cancelled: { zh: '求助人取消', en: 'Cancelled by caller' },
  no_answer: { zh: '无人接听', en: 'No answer' },
  terminal_lost: { zh: '终端断线', en: 'Terminal lost' },
  max_duration: { zh: '超过最长通话时间', en: 'Maximum call length reached' },
  media_failed: { zh: '音视频故障', en: 'Media failed' },
  relay_restart: { zh: '服务器重启', en: 'Relay restarted' },
  missed: { zh: '断网时求助，请回拨', en: 'Missed while offline: call back' },
};
