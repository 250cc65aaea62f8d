// A stand-in for rpicam-vid (rpicam-apps) on a machine without a camera.
// It takes only options the real one has (the subset the kiosk may use; any
// other is refused as boost::program_options would), logs its argv, and with
// --codec yuv420 --output - writes I420 frames at the frame rate until
// killed: frame n has luma (n * 7) % 256 so a test can see frames move.
// `--list-cameras` prints the list held in camerasFile, as the real one prints what libcamera found.
// Usage (from a wrapper on PATH): node fakeRpicamVid.mjs <logFile> <camerasFile> <argv...>
import fs from 'node:fs';

const [logFile, camerasFile, ...argv] = process.argv.slice(2);
fs.appendFileSync(logFile, `${JSON.stringify(argv)}\n`);
// Options that take a value, and those with an implicit value (boost::program_options' implicit_value).
// The fake takes an implicit option's value only as --name=value, as Boost 1.59-1.64 did (later ones
// also take a separate token); any positional argument is refused, as rpicam-vid does.
const valued = new Set(['--camera', '--timeout', '-t', '--codec', '--width', '--height', '--framerate', '--output', '-o', '--rotation', '--denoise', '--mode']);
const implicit = new Set(['--nopreview', '-n', '--flush', '--list-cameras', '--hflip', '--vflip', '--inline', '--verbose', '-v']);
const o = {};
const refuse = (msg) => {
  process.stderr.write(`ERROR: *** ${msg} ***\n`);
  process.exit(255);
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const eq = a.startsWith('--') ? a.indexOf('=') : -1;
  const name = eq > 0 ? a.slice(0, eq) : a;
  const key = name.replace(/^-+/, '');
  if (implicit.has(name)) o[key] = eq > 0 ? a.slice(eq + 1) : true;
  else if (valued.has(name)) o[key] = eq > 0 ? a.slice(eq + 1) : argv[++i];
  else if (!a.startsWith('-')) refuse('too many positional options have been specified on the command line');
  else refuse(`unrecognised option '${a}'`);
}
if (o['list-cameras']) {
  const text = camerasFile && fs.existsSync(camerasFile) ? fs.readFileSync(camerasFile, 'utf8') : 'No cameras available!\n';
  process.stdout.write(text);
  process.exit(0);
}
const num = (k, d) => (o[k] === undefined ? d : Number(o[k]));
const width = num('width', 0);
const height = num('height', 0);
const fps = num('framerate', 30);
if ((o.codec ?? 'h264') !== 'yuv420') {
  process.stderr.write('this fake only emits --codec yuv420\n');
  process.exit(1);
}
if ((o.output ?? o.o) !== '-') {
  process.stderr.write('this fake only writes to stdout (--output -)\n');
  process.exit(1);
}
if (!(width > 0 && height > 0 && fps > 0)) {
  process.stderr.write('width, height and framerate are required\n');
  process.exit(1);
}
if ((o.timeout ?? o.t) !== '0') {
  process.stderr.write('without --timeout 0 rpicam-vid stops after 5 s\n');
  process.exit(1);
}
const ySize = width * height;
const frameBytes = ySize + 2 * (width / 2) * (height / 2);
let n = 0;
const timer = setInterval(() => {
  const frame = Buffer.alloc(frameBytes, 128);
  frame.fill((n * 7) % 256, 0, ySize);
  n += 1;
  process.stdout.write(frame);
}, 1000 / fps);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
