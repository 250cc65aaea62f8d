/**
 * V8 flags the relay process runs with (scripts/lib/launch.ts, the systemd
 * unit in deploy/). A relay mostly holds thousands of idle terminal sockets;
 * V8's young generation otherwise grows to tens of MB per semi-space and
 * stays there. Capping it at 4 MB measured 30.8 → 13.6 KiB per idle terminal
 * at 5,000 terminals (scripts/bench-idle-terminals), with no change in
 * heartbeat lag or CPU worth noting.
 */
export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
