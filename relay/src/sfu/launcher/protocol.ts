// The messages between the relay and its process launcher (ProcessLauncher.ts, launcherMain.ts),
// over the fork's IPC channel with 'advanced' serialisation (Buffers pass as they are).

/** Relay → launcher. */
export type LauncherRequest =
  | { t: 'spawn'; id: number; file: string; args: string[]; stdin: boolean }
  | { t: 'stdin'; id: number; data: Buffer }
  | { t: 'stdinEnd'; id: number }
  | { t: 'kill'; id: number; signal: NodeJS.Signals };

/** Launcher → relay. */
export type LauncherEvent =
  | { t: 'ready' }
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'stdout' | 'stderr'; id: number; data: Buffer }
  | { t: 'error'; id: number; message: string; code: string | null }
  /** After the process exited and its stdout and stderr are drained. */
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };
