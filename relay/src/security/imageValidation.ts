import zlib from 'node:zlib';
import { AppError, ErrorCode } from '@helppoint/shared';

export interface ImageInfo {
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** Snapshots are frames of a terminal camera: anything larger than this is not one. */
const MAX_SIDE = 8192;

const bad = (why: string): never => {
  throw new AppError(ErrorCode.BadImage, `not a valid image: ${why}`);
};

/**
 * Checks that bytes are a complete, well-formed JPEG or PNG before they are
 * kept as evidence, walking the whole file structure rather than trusting
 * a magic number: every JPEG segment's length, a frame header with a sane
 * size, Huffman and quantisation tables, a scan and the end marker with
 * nothing after it; every PNG chunk's CRC, IHDR first, IEND last, and the
 * IDAT stream inflating to exactly the bytes the header promises.
 */
export function validateImage(buf: Buffer, declared: string): ImageInfo {
  if (declared === 'image/jpeg') return validateJpeg(buf);
  if (declared === 'image/png') return validatePng(buf);
  return bad(`unsupported type ${declared}`);
}

export function validateJpeg(buf: Buffer): ImageInfo {
  if (buf.length < 128) bad('too short for a JPEG');
  if (buf[0] !== 0xff || buf[1] !== 0xd8) bad('no JPEG start marker');
  let i = 2;
  let frame: { width: number; height: number } | null = null;
  const tables = { dqt: false, dht: false };
  let scans = 0;
  while (i < buf.length) {
    if (buf[i] !== 0xff) bad(`expected a marker at byte ${i}`);
    while (buf[i] === 0xff) i++; // fill bytes
    const marker = buf[i++];
    if (marker === undefined) bad('truncated marker');
    if (marker === 0xd9) {
      if (!frame || scans === 0) bad('end marker before any image data');
      if (i !== buf.length) bad(`${buf.length - i} bytes after the end marker`);
      if (!tables.dqt || !tables.dht) bad('no quantisation or Huffman table');
      return { mime: 'image/jpeg', ...frame! };
    }
    if (marker! >= 0xd0 && marker! <= 0xd7) continue; // restart markers carry no length
    if (i + 2 > buf.length) bad('truncated segment length');
    const len = buf.readUInt16BE(i);
    if (len < 2 || i + len > buf.length) bad(`segment 0x${marker!.toString(16)} runs past the end`);
    const seg = buf.subarray(i + 2, i + len);
    if (marker === 0xdb) tables.dqt = true;
    else if (marker === 0xc4) tables.dht = true;
    else if ((marker! >= 0xc0 && marker! <= 0xc3) || (marker! >= 0xc5 && marker! <= 0xcb && marker !== 0xc8) || (marker! >= 0xcd && marker! <= 0xcf)) {
      if (seg.length < 6) bad('short frame header');
      const height = seg.readUInt16BE(1);
      const width = seg.readUInt16BE(3);
      const components = seg[5]!;
      if (!width || !height || width > MAX_SIDE || height > MAX_SIDE) bad(`implausible size ${width}x${height}`);
      if (![1, 3, 4].includes(components) || seg.length !== 6 + components * 3) bad('bad frame components');
      frame = { width, height };
    }
    i += len;
    if (marker === 0xda) {
      if (!frame) bad('scan before the frame header');
      scans++;
      // Entropy-coded data: runs until a marker that is not a stuffed 0xFF00 or a restart marker.
      while (i < buf.length) {
        if (buf[i] === 0xff && i + 1 < buf.length) {
          const next = buf[i + 1]!;
          if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
            i += 2;
            continue;
          }
          if (next === 0xff) {
            i++;
            continue;
          }
          break;
        }
        i++;
      }
    }
  }
  return bad('no end marker (truncated)');
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function validatePng(buf: Buffer): ImageInfo {
  if (buf.length < 57 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) bad('no PNG signature');
  let i = 8;
  let header: { width: number; height: number; bitDepth: number; colour: number; interlace: number } | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (i < buf.length) {
    if (ended) bad('bytes after IEND');
    if (i + 12 > buf.length) bad('truncated chunk');
    const len = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    if (len > buf.length || i + 12 + len > buf.length) bad(`chunk ${type} runs past the end`);
    const data = buf.subarray(i + 8, i + 8 + len);
    const crc = buf.readUInt32BE(i + 8 + len);
    if (zlib.crc32(buf.subarray(i + 4, i + 8 + len)) !== crc) bad(`chunk ${type} has a wrong CRC`);
    if (!header && type !== 'IHDR') bad('IHDR is not the first chunk');
    if (type === 'IHDR') {
      if (header || len !== 13) bad('bad IHDR');
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colour: data[9]!, interlace: data[12]! };
      if (!header.width || !header.height || header.width > MAX_SIDE || header.height > MAX_SIDE) bad(`implausible size ${header.width}x${header.height}`);
      if (CHANNELS[header.colour] === undefined || ![1, 2, 4, 8, 16].includes(header.bitDepth) || header.interlace > 1) bad('unsupported PNG format');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    i += 12 + len;
  }
  if (!ended || !header || idat.length === 0) bad('missing IDAT or IEND');
  const h = header!;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: 64 * 1024 * 1024 });
  } catch {
    return bad('image data does not inflate');
  }
  if (h.interlace === 0) {
    const rowBytes = Math.ceil((h.width * CHANNELS[h.colour]! * h.bitDepth) / 8);
    if (raw.length !== h.height * (rowBytes + 1)) bad('image data does not match the header size');
  }
  return { mime: 'image/png', width: h.width, height: h.height };
}
