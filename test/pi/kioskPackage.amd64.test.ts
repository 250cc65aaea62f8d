import { PiContainer } from './support/PiContainer.ts';
import { describeTerminalPackage } from './support/terminalScenario.ts';

// Part of npm test: the amd64 .deb, installed offline into a booted Debian 12
// root and driven like a terminal (see support/terminalScenario.ts). Skips,
// saying why, only where this kernel or user cannot boot a container.
describeTerminalPackage({ arch: 'amd64', slow: 2, skipReason: await PiContainer.unavailableReason() });
