import { END_REASON_LABELS } from '@helppoint/shared/runtime';
import type { EndReason } from '@helppoint/shared/runtime';
import type { CallView } from './protocolTypes.ts';

/** A label in both languages: Chinese first, English second. */
export interface Bilingual {
  zh: string;
  en: string;
}

export function bilingual(label: Bilingual): string {
  return `${label.zh} ${label.en}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "0:07", "12:34", "1:02:03" — a call timer. Negative spans (clock skew) show as 0:00. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

/** Local wall-clock time, 24-hour: "21:07:45". */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** WGS84 degrees with hemisphere letters, five decimals (about a metre). */
export function formatCoords(latitude: number, longitude: number): string {
  const lat = `${Math.abs(latitude).toFixed(5)}°${latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(longitude).toFixed(5)}°${longitude >= 0 ? 'E' : 'W'}`;
  return `${lat} ${lon}`;
}

export function endReasonLabel(reason: EndReason | null): Bilingual {
  if (reason === null) return { zh: '已结束（断线期间）', en: 'Ended while disconnected' };
  return END_REASON_LABELS[reason] ?? { zh: '已结束', en: reason };
}

const KIND_LABELS: Record<string, Bilingual> = {
  school: { zh: '学校', en: 'School' },
  kindergarten: { zh: '幼儿园', en: 'Kindergarten' },
  hutong: { zh: '胡同', en: 'Hutong' },
  other: { zh: '其他', en: 'Other' },
};

export function terminalKindLabel(kind: string): Bilingual {
  return KIND_LABELS[kind] ?? { zh: kind, en: kind };
}

/** The status line of a call card, as seen by the officer `myUserId`. */
export function callStatusLabel(call: CallView, myUserId: number | null): Bilingual {
  switch (call.state) {
    case 'ringing':
      return { zh: '求助呼叫中', en: 'Incoming help call' };
    case 'answered':
      if (call.kind === 'lookin') return { zh: '正在查看终端', en: 'Looking in' };
      if (call.answeredBy && call.answeredBy.id === myUserId) return { zh: '通话中', en: 'In call' };
      return answeredByLabel(call.answeredBy?.displayName ?? '其他民警');
    case 'ended':
      return { zh: '通话结束', en: 'Call ended' };
  }
}

export function answeredByLabel(name: string): Bilingual {
  return { zh: `已由 ${name} 接听`, en: `Answered by ${name}` };
}

export const CONNECTION_LABELS = {
  'signed-out': { zh: '未登录', en: 'Signed out' },
  connecting: { zh: '正在连接', en: 'Connecting' },
  connected: { zh: '已连接', en: 'Connected' },
  reconnecting: { zh: '连接中断，重连中', en: 'Reconnecting' },
} as const satisfies Record<string, Bilingual>;

const ERROR_LABELS: Record<string, Bilingual> = {
  call_already_answered: { zh: '已被其他民警接听', en: 'Already answered by another officer' },
  terminal_offline: { zh: '终端离线，无法查看', en: 'Terminal offline: cannot look in' },
  terminal_busy: { zh: '终端正在通话中', en: 'Terminal is in a call' },
  call_ended: { zh: '呼叫已结束', en: 'The call has already ended' },
  call_not_found: { zh: '找不到该呼叫', en: 'Call not found' },
  call_busy: { zh: '您已在通话中', en: 'You are already in a call' },
  not_your_call: { zh: '该呼叫由其他民警处理', en: 'Another officer has this call' },
  invalid_credentials: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  unauthenticated: { zh: '登录已失效，请重新登录', en: 'Session expired, please sign in again' },
  forbidden: { zh: '无权执行此操作', en: 'Not allowed' },
  timeout: { zh: '服务器无响应', en: 'The relay did not answer in time' },
  disconnected: { zh: '与服务器的连接已断开', en: 'Disconnected from the relay' },
  rtc_failed: { zh: '音视频连接失败', en: 'Media connection failed' },
  cannot_consume: { zh: '无法接收该终端的音视频', en: 'Cannot receive this terminal\u2019s media' },
  transport_not_found: { zh: '媒体通道已失效', en: 'Media transport is gone' },
  producer_not_found: { zh: '终端音视频已停止', en: 'The terminal\u2019s track has stopped' },
  mic_unavailable: { zh: '无法打开麦克风', en: 'Microphone unavailable' },
  network: { zh: '无法连接服务器', en: 'Cannot reach the relay' },
  internal: { zh: '服务器内部错误', en: 'Relay error' },
  // accounts and terminals (issue 3)
  too_many_attempts: { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts; try again later' },
  weak_password: { zh: '密码太弱（至少10位，不能包含用户名，不能是常见密码或重复、连续的字符）', en: 'Password too weak (10+ characters, not the username, not a common password or a repeated or sequential pattern)' },
  conflict: { zh: '与现有记录冲突', en: 'Conflicts with an existing record' },
  bad_request: { zh: '输入有误', en: 'Invalid input' },
  unknown_terminal: { zh: '找不到该终端', en: 'Unknown terminal' },
  account_disabled: { zh: '账号已停用', en: 'Account disabled' },
  // hardening (issue 16)
  rate_limited: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again shortly' },
  quota_exceeded: { zh: '本次呼叫的截图已达上限', en: 'This call already has the most snapshots it can keep' },
  bad_image: { zh: '图片无效', en: 'Not a valid image' },
  disk_full: { zh: '存储空间不足，无法保存证据', en: 'Storage nearly full: evidence cannot be saved' },
  // dispatch (issue 13)
  responder_not_found: { zh: '找不到该处警人员', en: 'No such responder' },
  responder_off_duty: { zh: '处警人员未在岗', en: 'The responder is off duty' },
  responder_busy: { zh: '处警人员正在执行其他任务', en: 'The responder is on another job' },
  already_dispatched: { zh: '该人员已派往此呼叫', en: 'Already dispatched to this call' },
  dispatch_not_found: { zh: '找不到该派单', en: 'No such dispatch' },
  not_your_job: { zh: '该任务不是派给您的', en: 'That job is not yours' },
  bad_transition: { zh: '当前状态不能进行此操作', en: 'Not possible in the current status' },
  bad_coordinates: { zh: '位置不合理', en: 'Impossible position' },
  position_too_frequent: { zh: '位置上报过于频繁', en: 'Position reported too often' },
  // kiosk updates (issue 10)
  package_invalid: { zh: '不是有效的 Debian 软件包', en: 'Not a valid Debian package' },
  package_not_kiosk: { zh: '这不是 helppoint-kiosk 软件包', en: 'Not a helppoint-kiosk package' },
  package_too_large: { zh: '软件包太大', en: 'Package too large' },
  package_not_found: { zh: '找不到该软件包', en: 'No such package' },
};

export function errorLabel(code: string): Bilingual {
  return ERROR_LABELS[code] ?? { zh: '操作失败', en: 'Request failed' };
}
