// Runtime code with no imports: the benchmarks inject decodeClockStrip into the console's page as source text.

/**
 * A machine-readable clock the simulated camera draws across the top of every
 * frame, so glass-to-glass delay can be measured from decoded frames
 * (issue 15): 40 square blocks, black or white, each `width / 40` pixels wide
 * and high. Blocks 0-1 are a marker (white, black), 2-37 the capture time in
 * ms modulo 2^36 (about 795 days, most significant bit first), 38-39 even
 * parity of the upper and the lower 18 bits. Big blocks survive VP8 at low
 * bitrates and the encoder scaling the picture down; the parity bits and the
 * marker reject a frame where the strip is smeared.
 */
export const CLOCK_STRIP_BLOCKS = 40;
const DATA_BITS = 36;
const MOD = 2 ** DATA_BITS;

function bitsOf(ms: number): number[] {
  const t = ((Math.floor(ms) % MOD) + MOD) % MOD;
  const data: number[] = [];
  for (let i = DATA_BITS - 1; i >= 0; i--) data.push(Math.floor(t / 2 ** i) % 2);
  const parity = (bits: number[]) => bits.reduce((a, b) => a ^ b, 0);
  return [1, 0, ...data, parity(data.slice(0, 18)), parity(data.slice(18))];
}

/** Draws the clock into the luma plane of an I420 frame (in place); chroma of the strip is made neutral. */
export function stampClockStrip(frame: { data: Uint8Array; width: number; height: number }, ms: number): void {
  const { data, width, height } = frame;
  const block = Math.floor(width / CLOCK_STRIP_BLOCKS);
  if (block < 2 || height < block) return;
  const bits = bitsOf(ms);
  for (let y = 0; y < block; y++) {
    const row = y * width;
    for (let b = 0; b < CLOCK_STRIP_BLOCKS; b++) data.fill(bits[b] ? 235 : 16, row + b * block, row + (b + 1) * block);
  }
  // Neutral chroma under the strip, so colour never leaks into the blocks' luma after decoding.
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const rows = Math.ceil(block / 2);
  for (const plane of [width * height, width * height + cw * ch]) {
    for (let y = 0; y < rows; y++) data.fill(128, plane + y * cw, plane + y * cw + Math.min(cw, Math.ceil((block * CLOCK_STRIP_BLOCKS) / 2)));
  }
}

/**
 * Reads the clock back from a decoded picture (RGBA, as a canvas gives it).
 * Returns the capture time modulo 2^36 ms, or null when the strip does not
 * check out. `nowMs` (default the caller's clock) lifts it to a full epoch
 * time: the one nearest to now.
 */
export function decodeClockStrip(rgba: ArrayLike<number>, width: number, height: number, nowMs?: number): number | null {
  const blocks = 40;
  const dataBits = 36;
  const mod = 2 ** dataBits;
  const block = width / blocks;
  if (block < 2 || height < block) return null;
  const bits: number[] = [];
  for (let b = 0; b < blocks; b++) {
    // The middle half of the block: away from its edges, where the codec blurs.
    let sum = 0;
    let n = 0;
    for (let y = Math.floor(block * 0.25); y < Math.ceil(block * 0.75); y++) {
      for (let x = Math.floor(b * block + block * 0.25); x < Math.ceil(b * block + block * 0.75); x++) {
        const i = (y * width + x) * 4;
        sum += 0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0);
        n++;
      }
    }
    bits.push(sum / Math.max(1, n) > 128 ? 1 : 0);
  }
  if (bits[0] !== 1 || bits[1] !== 0) return null;
  const data = bits.slice(2, 2 + dataBits);
  const parity = (x: number[]) => x.reduce((a, c) => a ^ c, 0);
  if (parity(data.slice(0, 18)) !== bits[38] || parity(data.slice(18)) !== bits[39]) return null;
  let t = 0;
  for (const bit of data) t = t * 2 + bit;
  const now = nowMs ?? Date.now();
  const base = now - (((now % mod) + mod) % mod);
  let full = base + t;
  if (full - now > mod / 2) full -= mod;
  else if (now - full > mod / 2) full += mod;
  return full;
}
