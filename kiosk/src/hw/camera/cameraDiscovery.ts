import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../runTool.ts';

export interface CsiCamera {
  index: number;
  /** The sensor, e.g. imx708. */
  model: string;
  /** libcamera's id, e.g. /base/axi/pcie@120000/rp1/i2c@88000/imx708@1a. */
  id: string;
}

/**
 * `rpicam-vid --list-cameras` prints "0 : imx708 [4608x2592 10-bit RGGB] (/base/.../imx708@1a)"
 * per camera. libcamera also lists USB (UVC) cameras there; those are used
 * through V4L2 instead, so only sensors on an I2C bus (the CSI ports) count.
 */
export function parseRpicamCameraList(text: string): CsiCamera[] {
  const cams: CsiCamera[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s*:\s*(\S+)\s*\[[^\]]*\]\s*\((.+)\)\s*$/.exec(line);
    if (m && /\/i2c@/.test(m[3] as string)) cams.push({ index: Number(m[1]), model: m[2] as string, id: m[3] as string });
  }
  return cams;
}

export async function listCsiCameras(command = 'rpicam-vid'): Promise<{ cameras: CsiCamera[]; error: string | null }> {
  try {
    return { cameras: parseRpicamCameraList(await runTool(command, ['--list-cameras'], 15_000)), error: null };
  } catch (err) {
    const missing = (err as { cause?: { code?: string } }).cause?.code === 'ENOENT';
    return { cameras: [], error: missing ? `${command} not installed (Raspberry Pi OS package rpicam-apps-lite)` : err instanceof Error ? err.message : String(err) };
  }
}

/** USB cameras by their stable names; the -video-index0 node of each is its picture stream. */
export function listUsbCameras(devRoot = '/dev'): string[] {
  const dir = path.join(devRoot, 'v4l/by-id');
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('-video-index0'))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

export type CameraChoice =
  | { kind: 'csi'; camera: number; reason: string }
  | { kind: 'v4l2'; device: string; reason: string };

/**
 * 'auto': the first CSI camera, else the first USB camera by id, else
 * /dev/video0 (reported, so `doctor` shows nothing was found). 'csi[:n]' and
 * device paths are taken as configured.
 */
export function chooseCamera(configured: string, found: { csi: CsiCamera[]; usb: string[] }): CameraChoice {
  const csi = /^csi(?::(\d+))?$/.exec(configured);
  if (csi) return { kind: 'csi', camera: Number(csi[1] ?? 0), reason: 'configured' };
  if (configured !== 'auto') return { kind: 'v4l2', device: configured, reason: 'configured' };
  const first = found.csi[0];
  if (first) return { kind: 'csi', camera: first.index, reason: `CSI camera ${first.model} found by libcamera` };
  const usb = found.usb[0];
  if (usb) return { kind: 'v4l2', device: usb, reason: 'USB camera found under /dev/v4l/by-id' };
  return { kind: 'v4l2', device: '/dev/video0', reason: 'no camera found (no CSI camera listed by rpicam-vid, nothing under /dev/v4l/by-id)' };
}
