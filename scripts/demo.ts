/**
 * `npm run demo`: the whole system on this machine — relay + console and two
 * simulated terminals — with the console URL, demo logins and terminals
 * printed one per line. Press 1 or 2 to press a terminal's button (shift+1 /
 * shift+2, i.e. ! and @, for a long press), q to quit.
 *
 * `npm run demo -- --district`: NATS, two station relays with a simulated
 * terminal each, and the district relay (issue 14); the console line is the
 * district command centre's page.
 */
import path from 'node:path';
import readline from 'node:readline';
import { DEMO_USERS } from '../relay/src/db/demoData.ts';
import { startRelay, startSimTerminal, type Launched } from './lib/launch.ts';
import { startDistrictDemo } from './lib/nats/districtDemo.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dataDir = process.env['HELPPOINT_DEMO_DIR'] ?? path.join(root, '.data', 'demo');
const port = Number(process.env['HELPPOINT_PORT'] ?? 8080);
const terminalIds = ['XC-SCH-001', 'XC-HT-003'];

const children: Launched[] = [];
const afterChildren: (() => Promise<void>)[] = [];
async function shutdown(code: number): Promise<never> {
  await Promise.allSettled(children.reverse().map((c) => c.stop()));
  await Promise.allSettled(afterChildren.map((fn) => fn()));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

if (process.argv.includes('--district')) {
  try {
    const demo = await startDistrictDemo({ dataDir, port: Number(process.env['HELPPOINT_PORT'] ?? 8170), children, onStop: (fn) => afterChildren.push(fn) });
    console.log(`console: ${demo.districtUrl}/district.html`);
    for (const u of DEMO_USERS) console.log(`login: ${u.username} ${u.password}`);
    for (const s of demo.stations) {
      console.log(`station: ${s.id} ${s.url}/`);
      for (const t of s.terminals) console.log(`terminal: ${s.id} ${t.id} ${t.statusUrl}`);
    }
    console.log(`logs: ${dataDir}/district`);
    console.log(`press a button: curl -XPOST -d '{"action":"press"}' ${demo.stations[1]!.terminals[0]!.statusUrl.replace('/status', '/sim/button')} (unanswered for 30 s, it rings the district); Ctrl-C quits`);
    for (const c of children) c.child.on('exit', (code) => console.error(`a demo process exited (${code}); see ${c.logFile}`));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
  }
} else {
  await plainDemo();
}

async function plainDemo(): Promise<void> {
  try {
    const relay = await startRelay({ logDir: dataDir, dbPath: path.join(dataDir, 'relay.db'), port, env: { HELPPOINT_RTC_BASE_PORT: '40000' } });
    children.push(relay);
    const relayUrl = relay.ready['url']!;
    const terminals: { id: string; statusUrl: string }[] = [];
    for (const [i, id] of terminalIds.entries()) {
      const t = await startSimTerminal({ relayUrl, terminalId: id, logDir: dataDir, statusPort: 8701 + i });
      children.push(t);
      terminals.push({ id, statusUrl: `${t.ready['statusUrl']}/status` });
    }
    console.log(`console: ${relayUrl}/`);
    for (const u of DEMO_USERS) console.log(`login: ${u.username} ${u.password}`);
    for (const t of terminals) console.log(`terminal: ${t.id} ${t.statusUrl}`);
    console.log(`logs: ${dataDir}`);
    console.log(
      `press a button: keys 1/2 (long press: !/@), or curl -XPOST -d '{"action":"press"}' ${terminals[0]!.statusUrl.replace('/status', '/sim/button')}; q quits`,
    );
    const press = async (index: number, action: 'press' | 'long-press') => {
      const t = terminals[index];
      if (!t) return;
      const res = await fetch(t.statusUrl.replace('/status', '/sim/button'), { method: 'POST', body: JSON.stringify({ action }) });
      console.log(`${action} ${t.id}: ${res.status}`);
    };
    if (process.stdin.isTTY) {
      readline.emitKeypressEvents(process.stdin);
      process.stdin.setRawMode(true);
      process.stdin.on('keypress', (str: string | undefined, key: { ctrl?: boolean; name?: string }) => {
        if (key.name === 'q' || (key.ctrl && key.name === 'c')) void shutdown(0);
        else if (str === '1' || str === '2') void press(Number(str) - 1, 'press');
        else if (str === '!' || str === '@') void press(str === '!' ? 0 : 1, 'long-press');
      });
    }
    for (const c of children) c.child.on('exit', (code) => console.error(`a demo process exited (${code}); see ${c.logFile}`));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
  }
}
