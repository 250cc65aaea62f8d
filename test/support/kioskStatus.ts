export interface KioskStatus {
  terminalId: string;
  relay: { connected: boolean };
  call: { state: string; callId: string | null; lastPrompt: string | null };
  led: string;
  speaker: { framesWritten: number; lastRmsDbfs: number; peakRmsDbfs: number; recentRmsDbfs: number };
  media: {
    videoFramesSent: number;
    audioFramesSent: number;
    officerAudioFrames: number;
    sendTransportState?: string | null;
    iceRestarts?: number;
    rejoins?: number;
    link?: { estimateBps: number | null; videoRung: string; maxBitrate: number | null; rungChanges: number; probes: number } | null;
  };
}

export async function kioskStatus(statusUrl: string): Promise<KioskStatus> {
  const res = await fetch(`${statusUrl}/status`);
  return (await res.json()) as KioskStatus;
}

export async function pressButton(statusUrl: string, action: 'press' | 'long-press' = 'press'): Promise<void> {
  const res = await fetch(`${statusUrl}/sim/button`, { method: 'POST', body: JSON.stringify({ action }) });
  if (res.status !== 200) throw new Error(`button ${action}: HTTP ${res.status} ${await res.text()}`);
}

/** Polls until `check` returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
