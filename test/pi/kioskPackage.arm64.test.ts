import { PiContainer } from './support/PiContainer.ts';
import { describeTerminalPackage } from './support/terminalScenario.ts';

// The arm64 .deb (the one that goes on a Pi), in an arm64 Debian 12 root run
// through qemu-user-static. Several times slower than amd64, so it runs only
// when asked: HELPPOINT_PI_ARM64=1 (.ci/run asks, after the main suite).
const why = process.env['HELPPOINT_PI_ARM64'] !== '1' ? 'arm64 under qemu runs only with HELPPOINT_PI_ARM64=1 (.ci/run sets it)' : await PiContainer.unavailableReason();
describeTerminalPackage({ arch: 'arm64', slow: 6, skipReason: why });
