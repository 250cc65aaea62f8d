import { execFileSync } from 'node:child_process';

export interface Probe {
  durationS: number;
  streams: { type: string; codec: string }[];
}

/** What ffprobe reads from a media file: its duration and streams. Throws if it cannot read it. */
export function ffprobe(file: string): Probe {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { format?: { duration?: string }; streams?: { codec_type: string; codec_name: string }[] };
  return {
    durationS: Number(j.format?.duration ?? NaN),
    streams: (j.streams ?? []).map((s) => ({ type: s.codec_type, codec: s.codec_name })),
  };
}
