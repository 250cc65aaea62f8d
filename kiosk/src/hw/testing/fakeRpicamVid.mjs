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
const valued = new Set(['--camera', '--timeout', '-t', '--codec', '--width', '--height', '--framerate', '--verbose', '-v', '--output', '-o', '--rotation', '--denoise', '--mode']);
const flags = new Set(['--nopreview', '-n', '--flush', '--list-cameras', '--hflip', '--vflip', '--inline']);
const o = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (flags.has(a)) o[a.replace(/^-+/, '')] = true;
  else if (valued.has(a)) o[a.replace(/^-+/, '')] = argv[++i];
  else {
    process.stderr.write(`ERROR: *** unrecognised option '${a}' ***\n`);
    process.exit(255);
  }
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
