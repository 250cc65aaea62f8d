import type { MediaManager } from './MediaManager.ts';
import type { Ringer } from './Ringer.ts';
import { isMine } from './selectors.ts';
import type { ConsoleState } from './store.ts';

export interface DebugSnapshot {
  connected: boolean;
  connection: ConsoleState['connection'];
  user: { id: number; username: string; displayName: string; role: string } | null;
  ringtone: { mode: string; sounding: boolean; soundEnabled: boolean };
  terminals: { id: string; online: boolean }[];
  calls: {
    id: string;
    terminalId: string;
    state: string;
    answeredBy: string | null;
    mine: boolean;
    endReason: string | null;
    producers: number;
    media: { consumers: number; videoTracks: number; audioTracks: number; micState: string; micProducerId: string | null } | null;
  }[];
  activeCall: { id: string; micProducer: boolean; micProducerId: string | null; micState: string } | null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function snapshot(state: ConsoleState, media: MediaManager, ringer: Ringer): DebugSnapshot {
  const calls = Object.values(state.calls).map(({ call }) => {
    const m = media.get(call.id);
    return {
      id: call.id,
      terminalId: call.terminal.id,
      state: call.state,
      answeredBy: call.answeredBy?.displayName ?? null,
      mine: isMine(state, call),
      endReason: call.endReason,
      producers: call.producers.length,
      media: m
        ? { consumers: m.consumerCount, videoTracks: m.tracks('video').length, audioTracks: m.tracks('audio').length, micState: m.micState, micProducerId: m.micProducerId }
        : null,
    };
  });
  const active = calls.find((c) => c.mine && c.state === 'answered');
  return deepFreeze({
    connected: state.connection === 'connected',
    connection: state.connection,
    user: state.user ? { ...state.user } : null,
    ringtone: { mode: ringer.mode, sounding: ringer.sounding, soundEnabled: ringer.unlocked },
    terminals: Object.values(state.terminals).map((t) => ({ id: t.id, online: t.online })),
    calls,
    activeCall: active
      ? { id: active.id, micProducer: active.media?.micProducerId != null, micProducerId: active.media?.micProducerId ?? null, micState: active.media?.micState ?? 'off' }
      : null,
  });
}

declare global {
  interface Window {
    __helppoint?: { state: () => DebugSnapshot; version: string };
  }
}

/** Read-only window.__helppoint for tests and for a technician at the browser's devtools. */
export function installDebugHook(read: () => DebugSnapshot): void {
  Object.defineProperty(window, '__helppoint', {
    value: Object.freeze({ state: read, version: '1' }),
    configurable: true,
    enumerable: false,
    writable: false,
  });
}
