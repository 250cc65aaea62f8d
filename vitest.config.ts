import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'kiosk/src/**/*.test.ts', 'relay/src/**/*.test.ts', 'relay/console/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start real processes (mediasoup workers, ffmpeg, Chromium).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: the system tests start relays, mediasoup workers,
    // ffmpeg and Chromium, and two of them side by side on a 2-core machine
    // make timing-based assertions (ringing, first frame) flaky. The whole
    // suite still runs in a few minutes.
    fileParallelism: false,
  },
});
