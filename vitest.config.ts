import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'kiosk/src/**/*.test.ts', 'relay/src/**/*.test.ts', 'relay/console/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start real processes (mediasoup workers, ffmpeg, Chromium).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run files one at a time beside one another at most.
    maxWorkers: 2,
  },
});
