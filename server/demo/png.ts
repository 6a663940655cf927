import { constants, deflateSync } from 'node:zlib';

/** A pixel as 0xRRGGBB, or [r, g, b] / [r, g, b, a] with 0–255 channels. */
export type Pixel = number | readonly [number, number, number] | readonly [number, number, number, number];
export type PixelFn = (x: number, y: number) => Pixel;

export interface PngOptions {
  /** Write an alpha channel (RGBA); otherwise RGB and any alpha is ignored. */
  alpha?: boolean;
  /** zlib level; the demo banners use a fast one so startup stays quick. */
  level?: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes an 8-bit truecolour PNG, asking `pixel(x, y)` for every pixel. */
export function makePng(width: number, height: number, pixel: PixelFn, options: PngOptions = {}): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`bad PNG size ${width}x${height}`);
  }
  const channels = options.alpha ? 4 : 3;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    // Filter "Sub" (1): smooth gradients become runs of tiny deltas, which deflate far better
    // and faster than the raw bytes.
    raw[row] = 1;
    let pr = 0,
      pg = 0,
      pb = 0,
      pa = 0;
    let at = row + 1;
    for (let x = 0; x < width; x++, at += channels) {
      const p = pixel(x, y);
      let r: number, g: number, b: number, a: number;
      if (typeof p === 'number') {
        r = p >>> 16;
        g = p >>> 8;
        b = p;
        a = 0xff;
      } else {
        r = p[0];
        g = p[1];
        b = p[2];
        a = p[3] ?? 0xff;
      }
      // Typed-array stores wrap modulo 256, which is exactly the PNG filter arithmetic (and why the
      // unmasked `p >>> 8` above is fine: the bits above the channel cancel out).
      raw[at] = r - pr;
      raw[at + 1] = g - pg;
      raw[at + 2] = b - pb;
      if (channels === 4) raw[at + 3] = a - pa;
      pr = r;
      pg = g;
      pb = b;
      pa = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  // bytes 10–12: compression, filter method, interlace — all 0
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: options.level ?? 6, strategy: constants.Z_RLE })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
