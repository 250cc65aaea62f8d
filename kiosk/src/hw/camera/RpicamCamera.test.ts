import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/waitUntil.ts';
import { chooseCamera, listCsiCameras, listUsbCameras, parseRpicamCameraList } from './cameraDiscovery.ts';
import { RpicamCamera, rpicamVidArgs } from './RpicamCamera.ts';

const FAKE = path.join(path.dirname(new URL(import.meta.url).pathname), '../testing/fakeRpicamVid.mjs');

// What rpicam-vid --list-cameras prints on a Pi 5 with a Camera Module 3 on CAM1 and a USB webcam.
const PI5_LIST = `Available cameras
-----------------
0 : imx708_wide [4608x2592 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
1 : Microsoft® LifeCam HD-3000: Mi [1280x720] (/base/axi/pcie@120000/rp1/usb@200000-1:1.0-045e:0810)
`;

describe('CSI camera through rpicam-vid', () => {
  let root: string;
  let log: string;
  let camerasFile: string;
  let savedPath: string | undefined;

  beforeAll(() => {
    // A fake rpicam-vid on PATH, as the real one would be (package rpicam-apps-lite).
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-rpicam-'));
    log = path.join(root, 'argv.log');
    camerasFile = path.join(root, 'cameras.txt');
    fs.mkdirSync(path.join(root, 'bin'));
    const wrapper = path.join(root, 'bin', 'rpicam-vid');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${FAKE}' '${log}' '${camerasFile}' "$@"\n`);
    fs.chmodSync(wrapper, 0o755);
    savedPath = process.env['PATH'];
    process.env['PATH'] = `${path.join(root, 'bin')}:${savedPath ?? ''}`;
  });
  afterAll(() => {
    process.env['PATH'] = savedPath;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the command line a real rpicam-vid needs for raw I420 on stdout, forever, without a preview window', () => {
    expect(rpicamVidArgs({ width: 640, height: 480, fps: 15, camera: 1 })).toEqual([
      '--camera', '1', '--timeout', '0', '--nopreview', '--codec', 'yuv420',
      '--width', '640', '--height', '480', '--framerate', '15', '--flush', '--verbose=0', '--output', '-',
    ]);
  });

  it('frames from rpicam-vid reach the consumer whole, sized for I420, and moving', async () => {
    fs.writeFileSync(log, '');
    const cam = new RpicamCamera({ width: 320, height: 240, fps: 15 });
    const lumas: number[] = [];
    await cam.start((f) => {
      expect(f.data.length).toBe(320 * 240 * 1.5);
      lumas.push(f.data[0] as number);
    });
    try {
      await waitUntil(() => lumas.length >= 4, 20_000);
    } finally {
      await cam.stop();
    }
    expect(new Set(lumas).size).toBeGreaterThan(1);
    expect(cam.framesDelivered).toBeGreaterThanOrEqual(4);
    const argv = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n')[0] as string) as string[];
    expect(argv).toEqual(rpicamVidArgs({ width: 320, height: 240, fps: 15 }));
  });

  it('refuses a width rpicam-vid would pad', () => {
    expect(() => new RpicamCamera({ width: 800, height: 600, fps: 15 })).toThrow(/multiple of 64/);
  });

  it('lists only CSI sensors from rpicam-vid --list-cameras, and says why when it cannot run', async () => {
    expect(parseRpicamCameraList(PI5_LIST)).toEqual([{ index: 0, model: 'imx708_wide', id: '/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a' }]);
    expect(parseRpicamCameraList('No cameras available!\n')).toEqual([]);
    fs.writeFileSync(camerasFile, PI5_LIST);
    expect((await listCsiCameras()).cameras.map((c) => c.model)).toEqual(['imx708_wide']);
    const missing = await listCsiCameras('/nonexistent/rpicam-vid');
    expect(missing.cameras).toEqual([]);
    expect(missing.error).toBe('/nonexistent/rpicam-vid not installed (Raspberry Pi OS package rpicam-apps-lite)');
  });

  it('auto picks the CSI camera, else the first USB camera by id, else says none was found', () => {
    const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'v4l-'));
    try {
      fs.mkdirSync(path.join(dev, 'v4l/by-id'), { recursive: true });
      for (const n of ['usb-Microsoft_Microsoft_LifeCam_HD-3000-video-index1', 'usb-Microsoft_Microsoft_LifeCam_HD-3000-video-index0']) {
        fs.symlinkSync('../../video0', path.join(dev, 'v4l/by-id', n));
      }
      const usb = listUsbCameras(dev);
      expect(usb).toEqual([path.join(dev, 'v4l/by-id/usb-Microsoft_Microsoft_LifeCam_HD-3000-video-index0')]);
      const csi = parseRpicamCameraList(PI5_LIST);
      expect(chooseCamera('auto', { csi, usb })).toEqual({ kind: 'csi', camera: 0, reason: 'CSI camera imx708_wide found by libcamera' });
      expect(chooseCamera('auto', { csi: [], usb })).toMatchObject({ kind: 'v4l2', device: usb[0] });
      expect(chooseCamera('auto', { csi: [], usb: [] })).toMatchObject({ kind: 'v4l2', device: '/dev/video0', reason: expect.stringMatching(/no camera found/) });
      expect(chooseCamera('csi:1', { csi: [], usb })).toEqual({ kind: 'csi', camera: 1, reason: 'configured' });
      expect(chooseCamera('/dev/video2', { csi, usb })).toEqual({ kind: 'v4l2', device: '/dev/video2', reason: 'configured' });
    } finally {
      fs.rmSync(dev, { recursive: true, force: true });
    }
  });
});
