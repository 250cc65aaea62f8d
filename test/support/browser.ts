import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, with a fake camera and microphone (a test pattern and a beep).
 * extraArgs e.g. --use-file-for-fake-audio-capture=<wav> makes the microphone play a file.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['HELPPOINT_CHROMIUM'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

export async function signInConsole(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('[data-connected="true"]', { timeout: 15_000 });
}

/** Frames the <video> has decoded so far, and its size. */
export function videoStats(page: Page, selector: string) {
  return page.$eval(selector, (el) => {
    const v = el as HTMLVideoElement;
    const q = v.getVideoPlaybackQuality();
    return { width: v.videoWidth, height: v.videoHeight, frames: q.totalVideoFrames, time: v.currentTime, paused: v.paused };
  });
}
