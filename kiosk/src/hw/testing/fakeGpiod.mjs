// A stand-in for Debian's libgpiod tools (gpiodetect, gpioget, gpiomon,
// gpioset) on a machine without a GPIO character device or gpio-sim. It
// accepts only the command lines the real tools of the chosen version accept
// for what the kiosk does (v1.6 or v2.x syntax), and emulates one chip in a
// state directory the test drives:
//   version          "1.6.3" or "2.1.3"
//   chips            gpiodetect's output
//   level-<offset>   the wire: "0", "1" or "float" (then the bias decides)
//   held-<offset>    the value a running gpioset drives
//   busy-<offset>    pid of the process holding the line (EBUSY for others)
//   log              one JSON line per invocation: [tool, ...argv]
//   deaf-<offset>    present: gpiomon misses every edge on that line
// Usage: node fakeGpiod.mjs <tool> <stateDir> <argv...>
import fs from 'node:fs';
import path from 'node:path';

const [tool, dir, ...argv] = process.argv.slice(2);
const file = (name) => path.join(dir, name);
const read = (name, fallback = null) => {
  try {
    return fs.readFileSync(file(name), 'utf8').trim();
  } catch {
    return fallback;
  }
};
fs.appendFileSync(file('log'), `${JSON.stringify([tool, ...argv])}\n`);
const version = read('version', '1.6.3');
const v1 = version.startsWith('1.');

function die(msg) {
  process.stderr.write(`${tool}: ${msg}\n`);
  process.exit(1);
}

/** Splits argv like getopt for the options each tool takes; unknown options are an error, as in the tools. */
function parse(spec) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') {
      rest.push(a);
      continue;
    }
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!(name in spec)) die(`unrecognized option '${name}'`);
    if (spec[name]) opts[spec[name]] = inline ?? argv[++i];
    else opts[name] = true;
  }
  return { opts, rest };
}

function chipOf(descr) {
  const chips = (read('chips', '') ?? '').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
  const name = descr.startsWith('/dev/') ? path.basename(descr) : descr;
  if (!chips.includes(name)) die(`cannot find GPIO chip '${descr}': No such file or directory`);
}

function checkBias(word) {
  if (word === undefined) return;
  const ok = v1 ? ['as-is', 'disable', 'pull-down', 'pull-up'] : ['pull-down', 'pull-up', 'disabled'];
  if (!ok.includes(word)) die(`invalid bias: ${word}`);
}

function level(offset, bias) {
  const wire = read(`level-${offset}`, 'float');
  if (wire === '0' || wire === '1') return Number(wire);
  return bias === 'pull-up' ? 1 : 0;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function claim(offset) {
  const holder = Number(read(`busy-${offset}`, '0'));
  if (holder && holder !== process.pid && alive(holder)) die('error requesting GPIO lines: Device or resource busy');
  fs.writeFileSync(file(`busy-${offset}`), String(process.pid));
}

function release(offset) {
  if (Number(read(`busy-${offset}`, '0')) === process.pid) fs.rmSync(file(`busy-${offset}`), { force: true });
}

function offsetArg(s) {
  if (!/^\d+$/.test(s ?? '')) die(`invalid GPIO offset: ${s}`);
  return Number(s);
}

if (tool === 'gpiodetect') {
  if (argv[0] === '--version') {
    process.stdout.write(v1 ? `gpiodetect (libgpiod) v${version}\n` : `gpiodetect v${version} (libgpiod v${version})\n`);
  } else {
    process.stdout.write(`${read('chips', '')}\n`);
  }
  process.exit(0);
}

if (tool === 'gpioget') {
  const { opts, rest } = v1 ? parse({ '-B': 'bias', '--bias': 'bias' }) : parse({ '-c': 'chip', '-C': 'consumer', '-b': 'bias', '--numeric': '' });
  checkBias(opts.bias);
  const chip = v1 ? rest.shift() : opts.chip;
  if (!chip) die('GPIO chip must be specified');
  chipOf(chip);
  if (!v1 && !opts['--numeric']) die('this fake only prints --numeric values');
  const offset = offsetArg(rest[0]);
  claim(offset);
  process.stdout.write(`${level(offset, opts.bias)}\n`);
  release(offset);
  process.exit(0);
}

if (tool === 'gpiomon') {
  const { opts, rest } = v1
    ? parse({ '-b': '', '-B': 'bias', '-F': 'format', '-r': '', '-f': '' })
    : parse({ '-c': 'chip', '-C': 'consumer', '-b': 'bias', '-p': 'debounce', '-e': 'edges', '-F': 'format' });
  checkBias(opts.bias);
  if (v1 && !opts['-b']) die('stdout is a pipe: without -b the events would sit in the buffer (the real tool would hang the kiosk)');
  if (!v1 && opts.debounce !== undefined && !/^\d+(us|ms|s)?$/.test(opts.debounce)) die(`invalid period: ${opts.debounce}`);
  if (!v1 && opts.edges !== undefined && !['both', 'rising', 'falling'].includes(opts.edges)) die(`invalid edges: ${opts.edges}`);
  const chip = v1 ? rest.shift() : opts.chip;
  if (!chip) die('GPIO chip must be specified');
  chipOf(chip);
  const offset = offsetArg(rest[0]);
  claim(offset);
  fs.writeFileSync(file(`mon-${offset}`), JSON.stringify({ pid: process.pid, bias: opts.bias ?? null, debounce: opts.debounce ?? null }));
  const format = opts.format ?? '%o %e';
  let last = level(offset, opts.bias);
  const timer = setInterval(() => {
    // deaf-<offset>: this monitor misses edges (as one started a moment after an edge would).
    if (fs.existsSync(file(`deaf-${offset}`))) return;
    const now = level(offset, opts.bias);
    if (now === last) return;
    last = now;
    const e = v1 ? (now ? '1' : '0') : now ? '1' : '2';
    const out = format.replaceAll('%o', String(offset)).replaceAll('%e', e).replaceAll('%E', now ? 'rising' : 'falling');
    process.stdout.write(`${out}\n`);
  }, 5);
  const stop = () => {
    clearInterval(timer);
    release(offset);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else if (tool === 'gpioset') {
  const { opts, rest } = v1
    ? parse({ '--mode': 'mode', '-m': 'mode', '-B': 'bias', '-D': 'drive' })
    : parse({ '-c': 'chip', '-C': 'consumer', '-b': 'bias', '-d': 'drive', '-t': 'toggle' });
  if (opts.toggle !== undefined && !/^\d+(us|ms|s)?$/.test(opts.toggle)) die(`invalid period: ${opts.toggle}`);
  const chip = v1 ? rest.shift() : opts.chip;
  if (!chip) die('GPIO chip must be specified');
  chipOf(chip);
  const m = /^(\d+)=([01])$/.exec(rest[0] ?? '');
  if (!m) die(`invalid offset<->value mapping: ${rest[0]}`);
  const offset = Number(m[1]);
  claim(offset);
  fs.writeFileSync(file(`held-${offset}`), m[2]);
  const stop = () => {
    fs.rmSync(file(`held-${offset}`), { force: true });
    release(offset);
    process.exit(0);
  };
  // v1 without --mode=signal sets the value and exits at once: the line is released, the LED goes dark.
  if (v1 && opts.mode !== 'signal') stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (opts.toggle) {
    // v2 --toggle: flip the line every period, in this one process, until killed.
    const m2 = /^(\d+)(us|ms|s)?$/.exec(opts.toggle);
    const ms = Number(m2[1]) * (m2[2] === 's' ? 1000 : m2[2] === 'us' ? 0.001 : m2[2] === 'ms' ? 1 : 0.001);
    let v = Number(m[2]);
    setInterval(() => {
      v = 1 - v;
      fs.writeFileSync(file(`held-${offset}`), String(v));
    }, Math.max(1, ms));
  } else setInterval(() => {}, 60_000);
} else if (tool !== 'gpiodetect' && tool !== 'gpioget') {
  die('unknown tool');
}
