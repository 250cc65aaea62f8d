import type { CallMedia } from './CallMedia.ts';
import { append, bi, h, setAttr, setBi, setText } from './dom.ts';
import { icon, type IconName } from './icons.ts';
import { answeredByLabel, callStatusLabel, endReasonLabel, formatClock, formatCoords, formatDuration, terminalKindLabel, type Bilingual } from './format.ts';
import type { CardModel } from './selectors.ts';
import { captureJpeg } from './snapshot.ts';

export interface CardContext {
  now: number;
  myUserId: number | null;
  media: CallMedia | undefined;
  /** A request for this call is in flight: its buttons wait. */
  busy: 'answer' | 'hangup' | null;
  /** Not the top card: drawn smaller so several calls fit on one screen. */
  compact: boolean;
  /** Look-ins: 对讲 Talk is on. */
  talking?: boolean;
}

export interface CardActions {
  answer: (callId: string) => void;
  hangup: (callId: string) => void;
  dismiss: (callId: string) => void;
  retryMic: (callId: string) => void;
  /** Mute or unmute this officer's microphone in the call. */
  toggleMute: (callId: string) => void;
  /** A JPEG of the caller's picture, to keep with the call. */
  snapshot: (callId: string, jpeg: Blob) => void;
  /** The snapshot could not be taken (no frame yet). */
  snapshotFailed: (callId: string, error: unknown) => void;
  /** Look-ins: switch 对讲 Talk (the officer's voice on the terminal's speaker) on or off. */
  toggleTalk: (callId: string) => void;
}

const MIC_LABELS: Record<string, Bilingual> = {
  off: { zh: '麦克风未开', en: 'Mic off' },
  starting: { zh: '正在打开麦克风', en: 'Opening mic…' },
  live: { zh: '麦克风已开', en: 'Mic live' },
  failed: { zh: '麦克风不可用', en: 'Mic unavailable' },
};

function trackKey(tracks: MediaStreamTrack[]): string {
  return tracks.map((t) => t.id).join(',');
}

/** One call, kept alive across refreshes so its <video> keeps playing. */
export class CallCardView {
  readonly el: HTMLElement;
  readonly callId: string;
  readonly #strip = h('div', { class: 'card-strip' });
  readonly #stripIcon = h('span', { class: 'strip-icon' });
  #stripIconName: IconName | null = null;
  readonly #status = bi({ zh: '', en: '' }, 'strip-status');
  readonly #timer = h('span', { class: 'strip-timer mono', 'data-testid': 'call-timer' });
  readonly #timerLabel = bi({ zh: '', en: '' }, 'strip-timer-label');
  readonly #pressedAt = h('span', { class: 'strip-pressed' });
  readonly #locId = h('div', { class: 'loc-id mono', 'data-testid': 'call-location-id' });
  readonly #kind = h('span', { class: 'kind-badge' });
  readonly #district = h('span', { class: 'district' });
  readonly #name = h('div', { class: 'place-name', 'data-testid': 'call-name' });
  readonly #nameEn = h('div', { class: 'place-name-en', 'data-testid': 'call-name-en' });
  readonly #address = h('dd', { 'data-testid': 'call-address', 'data-fact': 'address' });
  readonly #hutong = h('dd', { 'data-testid': 'call-hutong', 'data-fact': 'hutong' });
  readonly #coords = h('dd', { class: 'mono', 'data-testid': 'call-coords', 'data-fact': 'coords' });
  readonly #notes = h('dd', { class: 'notes', 'data-testid': 'call-notes', 'data-fact': 'notes' });
  readonly #notesTerm = h('dt', { 'data-fact': 'notes' }, bi({ zh: '备注', en: 'Notes' }));
  readonly #answeredBy = h('div', { class: 'answered-by', 'data-testid': 'call-answered-by', hidden: true });
  readonly #endReason = h('div', { class: 'end-reason', 'data-testid': 'call-end-reason', hidden: true });
  readonly #video: HTMLVideoElement;
  readonly #audio: HTMLAudioElement;
  readonly #videoWrap: HTMLElement;
  readonly #placeholder = h('div', { class: 'video-placeholder' }, bi({ zh: '等待终端画面…', en: 'Waiting for video…' }));
  readonly #micText = h('span', {});
  readonly #mic = h('div', { class: 'mic-state', 'data-testid': 'mic-state', hidden: true }, icon('mic'), this.#micText);
  readonly #micRetry: HTMLButtonElement;
  readonly #answer: HTMLButtonElement;
  readonly #hangup: HTMLButtonElement;
  readonly #hangupLabel = bi({ zh: '拒绝', en: 'Decline' });
  readonly #dismiss: HTMLButtonElement;
  readonly #mute: HTMLButtonElement;
  readonly #muteLabel = bi({ zh: '静音', en: 'Mute' });
  readonly #snapshot: HTMLButtonElement;
  readonly #talk: HTMLButtonElement;
  readonly #talkLabel = bi({ zh: '对讲', en: 'Talk' });
  readonly #kindBadge = h('span', { class: 'call-kind-badge', 'data-testid': 'call-kind', hidden: true });
  readonly #escalated = h('span', { class: 'escalated-badge', 'data-testid': 'call-escalated', hidden: true }, bi({ zh: '已升级', en: 'Escalated' }));
  /** The terminal's microphone: a level bar and 正在说话 Speaking (call.audioActivity). */
  readonly #levelBar = h('span', { class: 'terminal-level-bar' });
  readonly #speakingText = h('span', { class: 'terminal-speaking-text' });
  readonly #terminalAudio = h(
    'div',
    { class: 'terminal-audio', 'data-testid': 'terminal-audio', 'data-speaking': 'false', hidden: true, title: '终端麦克风 Terminal microphone' },
    icon('mic'),
    h('span', { class: 'terminal-level' }, this.#levelBar),
    this.#speakingText,
  );
  #videoKey = '';
  #audioKey = '';

  constructor(callId: string, actions: CardActions) {
    this.callId = callId;
    this.#video = h('video', { 'data-testid': 'call-video', autoplay: true, playsinline: true, muted: true });
    this.#video.muted = true;
    this.#audio = h('audio', { 'data-testid': 'call-audio', autoplay: true });
    this.#audio.muted = true;
    this.#micRetry = h('button', { type: 'button', class: 'btn btn-small', hidden: true }, bi({ zh: '重试', en: 'Retry' }));
    this.#answer = h('button', { type: 'button', class: 'btn btn-answer', 'data-testid': 'answer' }, icon('phone', 'icon btn-icon'), bi({ zh: '接听', en: 'Answer' }));
    this.#hangup = h('button', { type: 'button', class: 'btn btn-hangup', 'data-testid': 'hangup' }, icon('hangup', 'icon btn-icon'), this.#hangupLabel);
    this.#dismiss = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'dismiss', hidden: true }, bi({ zh: '关闭', en: 'Close' }));
    this.#answer.addEventListener('click', () => actions.answer(callId));
    this.#hangup.addEventListener('click', () => actions.hangup(callId));
    this.#dismiss.addEventListener('click', () => actions.dismiss(callId));
    this.#micRetry.addEventListener('click', () => actions.retryMic(callId));
    this.#mute = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'mute', hidden: true, 'aria-pressed': 'false' }, icon('mic', 'icon btn-icon'), this.#muteLabel);
    this.#snapshot = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'snapshot', hidden: true }, icon('camera', 'icon btn-icon'), bi({ zh: '截图', en: 'Snapshot' }));
    this.#mute.addEventListener('click', () => actions.toggleMute(callId));
    this.#talk = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'talk', hidden: true, 'aria-pressed': 'false' }, icon('mic', 'icon btn-icon'), this.#talkLabel);
    this.#talk.addEventListener('click', () => actions.toggleTalk(callId));
    this.#snapshot.addEventListener('click', () => {
      captureJpeg(this.#video).then(
        (jpeg) => actions.snapshot(callId, jpeg),
        (error: unknown) => actions.snapshotFailed(callId, error),
      );
    });
    this.#videoWrap = h('div', { class: 'video-wrap' }, this.#video, this.#placeholder, this.#mic, this.#terminalAudio);
    append(this.#mic, this.#micRetry);

    append(this.#strip, this.#stripIcon, this.#status, this.#kindBadge, this.#escalated, h('span', { class: 'strip-spacer' }), this.#pressedAt, h('span', { class: 'strip-timer-box' }, this.#timerLabel, this.#timer));
    this.el = h(
      'article',
      { class: 'card', 'data-testid': 'call-card', 'data-call-id': callId },
      this.#strip,
      h(
        'div',
        { class: 'card-hero' },
        h('div', { class: 'hero-loc' }, h('div', { class: 'loc-label' }, bi({ zh: '位置编号', en: 'Location ID' })), this.#locId),
        h('div', { class: 'hero-place' }, h('div', { class: 'loc-meta' }, this.#kind, this.#district), this.#name, this.#nameEn),
      ),
      h(
        'div',
        { class: 'card-body' },
        h(
          'div',
          { class: 'card-info' },
          h(
            'dl',
            { class: 'facts' },
            h('dt', { 'data-fact': 'address' }, bi({ zh: '地址', en: 'Address' })),
            this.#address,
            h('dt', { 'data-fact': 'hutong' }, bi({ zh: '胡同', en: 'Hutong' })),
            this.#hutong,
            h('dt', { 'data-fact': 'coords' }, bi({ zh: '坐标', en: 'Coordinates' })),
            this.#coords,
            this.#notesTerm,
            this.#notes,
          ),
          this.#answeredBy,
          this.#endReason,
        ),
        h('div', { class: 'card-media' }, this.#videoWrap, this.#audio),
      ),
      h('div', { class: 'card-actions' }, this.#answer, this.#talk, this.#mute, this.#snapshot, this.#hangup, this.#dismiss),
    );
  }

  update(model: CardModel, ctx: CardContext): void {
    const { call } = model.entry;
    const t = call.terminal;
    setAttr(this.el, 'data-state', call.state);
    setAttr(this.el, 'data-role', model.role);
    setAttr(this.el, 'data-terminal-id', t.id);
    setAttr(this.el, 'data-compact', ctx.compact ? 'true' : null);

    const iconName = ({ ringing: 'bell', mine: 'phone', other: 'officer', ended: 'stop' } as const)[model.role];
    if (iconName !== this.#stripIconName) {
      this.#stripIconName = iconName;
      this.#stripIcon.replaceChildren(icon(iconName));
    }
    setBi(this.#status, callStatusLabel(call, ctx.myUserId));
    setAttr(this.el, 'data-kind', call.kind);
    setAttr(this.el, 'data-escalated', call.escalatedAt !== null ? 'true' : null);
    this.#kindBadge.hidden = call.kind === 'help';
    setText(this.#kindBadge, call.kind === 'tamper' ? '防拆报警 Tamper alarm' : call.kind === 'lookin' ? '查看 Look-in（无呼叫 no call）' : '');
    this.#escalated.hidden = call.escalatedAt === null || call.state !== 'ringing';
    setText(this.#pressedAt, `${formatClock(call.createdAt)} ${call.kind === 'lookin' ? '开始查看 opened' : '按下 pressed'}`);
    const { label, ms } = this.#timing(model, ctx.now);
    setBi(this.#timerLabel, label);
    setText(this.#timer, formatDuration(ms));

    setText(this.#locId, t.id);
    const kind = terminalKindLabel(t.kind);
    setText(this.#kind, `${kind.zh} ${kind.en}`);
    setText(this.#district, t.district);
    setText(this.#name, t.name);
    setText(this.#nameEn, t.nameEn);
    setText(this.#address, t.address);
    setText(this.#hutong, t.hutong);
    setText(this.#coords, formatCoords(t.latitude, t.longitude));
    setText(this.#notes, t.notes);
    this.#notes.hidden = this.#notesTerm.hidden = t.notes.trim() === '';

    const by = call.answeredBy;
    this.#answeredBy.hidden = by === null;
    if (by) {
      setAttr(this.#answeredBy, 'data-user-id', String(by.id));
      const mine = by.id === ctx.myUserId;
      const text = mine ? `接听人 Answered by: ${by.displayName}（本人 you）` : `${answeredByLabel(by.displayName).zh} · ${answeredByLabel(by.displayName).en}`;
      setText(this.#answeredBy, text);
    }

    const ended = call.state === 'ended';
    if (ended) this.setTerminalAudio(null);
    this.#endReason.hidden = !ended;
    if (ended) {
      const reason = endReasonLabel(call.endReason);
      setAttr(this.#endReason, 'data-reason', call.endReason ?? 'unknown');
      setText(this.#endReason, `${reason.zh} ${reason.en} (${call.endReason ?? 'unknown'})`);
    }

    this.#updateMedia(model, ctx);

    this.#answer.hidden = model.role !== 'ringing';
    this.#answer.disabled = ctx.busy !== null;
    const declined = ctx.myUserId !== null && call.declinedBy.some((o) => o.id === ctx.myUserId);
    // Declined here: the card stays (the officer may still answer) but without a second Decline.
    this.#hangup.hidden = (model.role !== 'ringing' && model.role !== 'mine') || (model.role === 'ringing' && declined);
    this.#hangup.disabled = ctx.busy !== null;
    const lookin = call.kind === 'lookin';
    setBi(this.#hangupLabel, lookin ? { zh: '关闭', en: 'Close' } : model.role === 'mine' ? { zh: '挂断', en: 'Hang up' } : { zh: '拒绝', en: 'Decline' });
    this.#talk.hidden = !lookin || model.role !== 'mine';
    setAttr(this.#talk, 'aria-pressed', ctx.talking ? 'true' : 'false');
    setBi(this.#talkLabel, ctx.talking ? { zh: '停止对讲', en: 'Stop talking' } : { zh: '对讲', en: 'Talk' });
    setAttr(this.#answer, 'aria-busy', ctx.busy === 'answer' ? 'true' : null);
    setAttr(this.#hangup, 'aria-busy', ctx.busy === 'hangup' ? 'true' : null);
    this.#dismiss.hidden = model.role !== 'ended';
    const media = ctx.media && !ctx.media.closed ? ctx.media : undefined;
    this.#mute.hidden = lookin || model.role !== 'mine' || media?.micState !== 'live';
    const muted = media?.muted ?? false;
    setAttr(this.#mute, 'aria-pressed', muted ? 'true' : 'false');
    setBi(this.#muteLabel, muted ? { zh: '取消静音', en: 'Unmute' } : { zh: '静音', en: 'Mute' });
    this.#snapshot.hidden = model.role !== 'mine' && model.role !== 'ringing';
  }

  /**
   * The terminal's input level (−60..0 dBFS fills the bar) and whether the resident is speaking.
   * null hides it (the call ended or nothing arrived yet).
   */
  setTerminalAudio(activity: { inputDbfs: number; speaking: boolean } | null): void {
    this.#terminalAudio.hidden = activity === null;
    if (!activity) return;
    const fill = Math.max(0, Math.min(1, (activity.inputDbfs + 60) / 60));
    this.#levelBar.style.width = `${Math.round(fill * 100)}%`;
    setAttr(this.#terminalAudio, 'data-speaking', activity.speaking ? 'true' : 'false');
    setAttr(this.#terminalAudio, 'data-level-dbfs', String(Math.round(activity.inputDbfs)));
    setText(this.#speakingText, activity.speaking ? '正在说话 Speaking' : `${Math.round(activity.inputDbfs)} dBFS`);
  }

  destroy(): void {
    this.#video.srcObject = null;
    this.#audio.srcObject = null;
    this.el.remove();
  }

  #timing(model: CardModel, now: number): { label: Bilingual; ms: number } {
    const { call } = model.entry;
    if (call.state === 'ringing') return { label: { zh: '已等待', en: 'Waiting' }, ms: now - call.createdAt };
    if (call.state === 'answered' && call.kind === 'lookin') return { label: { zh: '查看时长', en: 'Looking' }, ms: now - (call.answeredAt ?? call.createdAt) };
    if (call.state === 'answered') return { label: { zh: '通话时长', en: 'Duration' }, ms: now - (call.answeredAt ?? call.createdAt) };
    const end = call.endedAt ?? model.entry.endedSeenAt ?? now;
    return call.answeredAt !== null ? { label: { zh: '通话时长', en: 'Duration' }, ms: end - call.answeredAt } : { label: { zh: '等待时长', en: 'Waited' }, ms: end - call.createdAt };
  }

  #updateMedia(model: CardModel, ctx: CardContext): void {
    const { call } = model.entry;
    const showVideo = model.role === 'ringing' || model.role === 'mine';
    this.#videoWrap.hidden = !showVideo;
    const media = ctx.media && !ctx.media.closed ? ctx.media : undefined;
    const video = media?.tracks('video') ?? [];
    const audio = media?.tracks('audio') ?? [];
    const vKey = trackKey(video);
    if (vKey !== this.#videoKey) {
      this.#videoKey = vKey;
      this.#video.srcObject = video.length ? new MediaStream(video) : null;
      if (video.length) void this.#video.play().catch(() => undefined);
    }
    const aKey = trackKey(audio);
    if (aKey !== this.#audioKey) {
      this.#audioKey = aKey;
      this.#audio.srcObject = audio.length ? new MediaStream(audio) : null;
    }
    // The resident is heard only by the officer who answered.
    const hear = model.role === 'mine' && audio.length > 0;
    if (this.#audio.muted === hear) {
      this.#audio.muted = !hear;
      if (hear) void this.#audio.play().catch(() => undefined);
    }
    setAttr(this.#videoWrap, 'data-has-video', video.length > 0 ? 'true' : 'false');
    this.#placeholder.hidden = video.length > 0;

    // In a look-in the mic line shows only while talking (it stays open, muted, between talks).
    const micState = model.role === 'mine' && media && (call.kind !== 'lookin' || ctx.talking) ? media.micState : null;
    this.#mic.hidden = micState === null;
    if (micState) {
      setAttr(this.#mic, 'data-mic', micState);
      const label = MIC_LABELS[micState] ?? MIC_LABELS.off!;
      setText(this.#micText, `${label.zh} ${label.en}`);
      this.#micRetry.hidden = micState !== 'failed';
    }
  }
}
