// @vitest-environment node
// Studio pictures: real JPEG/PNG/WebP files made by ffmpeg at test time, with metadata spliced in by
// hand; ffmpeg then judges the cleaned output (same decoded pixels, which tags remain).
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanImage, DEFAULT_IMAGE_LIMITS, sniffImage, type CleanedImage, type ImageLimits } from '../../server/studio/media/image';
import { ffmpeg, ffprobe, framemd5, limited, tempDir } from './media/ffmpeg';
import {
  contains,
  exifTiff,
  extendWebp,
  jpegComment,
  jpegExif,
  jpegIptc,
  jpegMarkers,
  jpegSegment,
  jpegXmp,
  latitudeBytes,
  pngChunk,
  pngChunkTypes,
  riffChunk,
  riffChunkIds,
  SECRETS,
  spliceJpeg,
  splicePng,
  webpFile,
  xmpPacket,
} from './media/fixtures';

const LIMITS: ImageLimits = { maxBytes: 5 * 1024 * 1024, maxPixels: 1_000_000, maxSide: 4096 };
const SIZE = { width: 320, height: 240 };

let dir: Awaited<ReturnType<typeof tempDir>>;
const made: Record<'jpeg' | 'png' | 'palette' | 'webp' | 'webpLossless' | 'apng' | 'webpAnimated', Buffer> = {} as never;
let counter = 0;

/** Decoded pixels of some bytes, as ffmpeg sees them (ignoring any orientation tag). */
async function pixelsOf(bytes: Uint8Array, ext: string): Promise<string[]> {
  const path = dir.file(`check-${counter++}.${ext}`);
  await writeFile(path, bytes);
  return framemd5(path);
}

async function frameTagsOf(bytes: Uint8Array, ext: string): Promise<Record<string, string>> {
  const path = dir.file(`tags-${counter++}.${ext}`);
  await writeFile(path, bytes);
  const probe = await ffprobe(path, ['-show_frames']);
  return Object.fromEntries(Object.entries(probe.frames?.[0]?.tags ?? {}).map(([k, v]) => [k, v.trim()]));
}

function expectOk(result: CleanedImage): Extract<CleanedImage, { ok: true }> {
  if (!result.ok) throw new Error(`expected a cleaned picture, got ${result.problem}: ${result.message}`);
  return result;
}

function expectProblem(result: CleanedImage, problem: string, message?: RegExp): void {
  expect(result.ok ? 'ok' : result.problem, result.ok ? 'cleaned' : result.message).toBe(problem);
  if (!result.ok && message) expect(result.message).toMatch(message);
}

function expectNoSecrets(bytes: Uint8Array): void {
  for (const secret of [SECRETS.make, SECRETS.datum, SECRETS.xmp, SECRETS.comment, SECRETS.text, SECRETS.iptc, SECRETS.trailer]) {
    expect(contains(bytes, secret), secret).toBe(false);
  }
  expect(contains(bytes, latitudeBytes()), 'GPS latitude').toBe(false);
  expect(contains(bytes, 'http://ns.adobe.com/'), 'XMP').toBe(false);
}

beforeAll(async () => {
  dir = await tempDir();
  const still = ['-f', 'lavfi', '-i', `testsrc=size=${SIZE.width}x${SIZE.height}:duration=1`, '-frames:v', '1'];
  const moving = ['-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=5', '-frames:v', '3'];
  const jobs: [keyof typeof made, string, string[]][] = [
    ['jpeg', 'jpg', [...still]],
    ['png', 'png', [...still]],
    ['palette', 'png', [...still, '-pix_fmt', 'pal8']],
    ['webp', 'webp', [...still, '-c:v', 'libwebp']],
    ['webpLossless', 'webp', [...still, '-c:v', 'libwebp', '-lossless', '1']],
    ['apng', 'png', [...moving, '-f', 'apng', '-plays', '0']],
    ['webpAnimated', 'webp', [...moving, '-c:v', 'libwebp_anim', '-loop', '0']],
  ];
  await limited(
    2,
    jobs.map(([name, ext, args]) => async () => {
      const path = dir.file(`${name}.${ext}`);
      await ffmpeg([...args, path]);
      made[name] = await readFile(path);
    }),
  );
});

afterAll(() => dir?.remove());

describe('sniffImage: the bytes decide the type', () => {
  it('names the three accepted types from their signatures', () => {
    expect(sniffImage(made.jpeg)).toBe('image/jpeg');
    expect(sniffImage(made.png)).toBe('image/png');
    expect(sniffImage(made.webp)).toBe('image/webp');
    expect(sniffImage(made.webpLossless)).toBe('image/webp');
  });

  it('names nothing else, however short or close', () => {
    expect(sniffImage(new Uint8Array())).toBeUndefined();
    expect(sniffImage(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))).toBeUndefined();
    expect(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBeUndefined();
    expect(sniffImage(made.png.subarray(0, 7))).toBeUndefined();
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'))).toBeUndefined();
    expect(sniffImage(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });
});

describe('cleanImage: refusals before any parsing', () => {
  it('refuses a Windows program named .png and sent as image/png as not a picture, and says what it is', () => {
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(200)]);
    expectProblem(cleanImage(exe, LIMITS, 'image/png'), 'not_image', /Windows program/);
  });

  it('refuses an ELF program, random bytes and an empty file as not pictures', () => {
    expectProblem(
      cleanImage(Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(64)]), LIMITS),
      'not_image',
      /Linux program/,
    );
    const random = randomBytes(4096);
    random[0] = 0x42; // never a picture signature, whatever the rest
    expectProblem(cleanImage(random, LIMITS, 'image/jpeg'), 'not_image', /starts with the bytes 42/);
    expectProblem(cleanImage(new Uint8Array(), LIMITS), 'not_image', /empty/);
  });

  it('refuses other picture formats as unsupported, with advice for iPhone HEIC', () => {
    expectProblem(cleanImage(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), LIMITS), 'unsupported', /GIF/);
    const heic = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(32)]);
    expectProblem(cleanImage(heic, LIMITS), 'unsupported', /HEIC.*Most Compatible/);
    expectProblem(cleanImage(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'), LIMITS), 'unsupported', /SVG/);
  });

  it('refuses a declared type that differs from the bytes, naming both', () => {
    expectProblem(cleanImage(made.jpeg, LIMITS, 'image/png'), 'type_mismatch', /image\/png.*JPEG/);
    expectProblem(cleanImage(made.png, LIMITS, 'image/webp'), 'type_mismatch', /image\/webp.*PNG/);
    expectProblem(cleanImage(made.webp, LIMITS, 'application/pdf'), 'type_mismatch', /application\/pdf.*WebP/);
  });

  it('accepts the usual spellings of a matching type, and no claim at all', () => {
    for (const declared of [
      'image/jpeg',
      'IMAGE/JPEG',
      'image/jpg',
      'image/pjpeg',
      'image/jpeg; charset=binary',
      '',
      'application/octet-stream',
      undefined,
    ]) {
      expect(cleanImage(made.jpeg, LIMITS, declared).ok, String(declared)).toBe(true);
    }
    expect(cleanImage(made.png, LIMITS, 'image/x-png').ok).toBe(true);
  });

  it('refuses a file over maxBytes before looking at it, naming the limit', () => {
    expectProblem(
      cleanImage(made.jpeg, { ...LIMITS, maxBytes: made.jpeg.length - 1 }),
      'too_large',
      new RegExp(`limit is ${(made.jpeg.length - 1).toLocaleString('en-US')} bytes`),
    );
    expect(cleanImage(made.jpeg, { ...LIMITS, maxBytes: made.jpeg.length }).ok).toBe(true);
    // Size first: even bytes that are not a picture at all are "too large".
    expectProblem(cleanImage(Buffer.alloc(2048, 0x4d), { ...LIMITS, maxBytes: 1024 }), 'too_large');
  });

  it('offers default limits that accept a phone photo and refuse a bomb', () => {
    expect(cleanImage(made.jpeg, DEFAULT_IMAGE_LIMITS).ok).toBe(true);
    expect(DEFAULT_IMAGE_LIMITS.maxPixels).toBeGreaterThanOrEqual(48_000_000);
    expect(DEFAULT_IMAGE_LIMITS.maxPixels).toBeLessThan(100_000_000);
  });
});

describe('cleanImage: JPEG', () => {
  it('strips EXIF with GPS, XMP, IPTC, comments and trailing data, keeping the pixels and the orientation', async () => {
    const dirty = spliceJpeg(
      made.jpeg,
      [jpegExif(exifTiff({ orientation: 6 })), jpegXmp(), jpegIptc(), jpegComment()],
      Buffer.from(SECRETS.trailer),
    );
    // The fixture really carries what we claim: ffmpeg reads the GPS out of it.
    expect(await frameTagsOf(dirty, 'jpg')).toMatchObject({ GPSMapDatum: SECRETS.datum, Orientation: '6', Make: SECRETS.make });

    const clean = expectOk(cleanImage(dirty, LIMITS, 'image/jpeg'));
    expect(clean.type).toBe('image/jpeg');
    expect(clean.removed).toEqual(expect.arrayContaining(['exif', 'gps', 'xmp', 'iptc', 'comment', 'trailer']));
    expectNoSecrets(clean.bytes);
    expect(await pixelsOf(clean.bytes, 'jpg')).toEqual(await pixelsOf(made.jpeg, 'jpg'));
    // Orientation 6 survives on its own, so the phone photo still stands upright…
    expect(await frameTagsOf(clean.bytes, 'jpg')).toEqual({ Orientation: '6' });
    expect(clean.orientation).toBe(6);
    // …and the size is reported as displayed: a quarter turn swaps width and height.
    expect({ width: clean.width, height: clean.height }).toEqual({ width: 240, height: 320 });
    // The one APP1 left sits right after JFIF, where readers look for it.
    expect(jpegMarkers(clean.bytes).slice(0, 3)).toEqual([0xe0, 0xe1, 0xdb]);
  });

  it('writes no EXIF back when the original was upright (orientation 1) or had none', async () => {
    for (const tiff of [exifTiff({ orientation: 1 }), exifTiff({ little: false, gps: true })]) {
      const clean = expectOk(cleanImage(spliceJpeg(made.jpeg, [jpegExif(tiff)]), LIMITS));
      expect(jpegMarkers(clean.bytes)).not.toContain(0xe1);
      expect(clean.orientation).toBe(1);
      expect({ width: clean.width, height: clean.height }).toEqual(SIZE);
      expect(clean.removed).toEqual(expect.arrayContaining(['exif', 'gps']));
      expectNoSecrets(clean.bytes);
    }
  });

  it('keeps the ICC profile and the Adobe segment (colour) byte for byte, and drops MPF and other APPn', async () => {
    const icc = jpegSegment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), Buffer.alloc(64, 7)]));
    const adobe = jpegSegment(0xee, Buffer.from([0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x01]));
    const mpf = jpegSegment(0xe2, Buffer.concat([Buffer.from('MPF\0', 'latin1'), Buffer.from(SECRETS.text)]));
    const ducky = jpegSegment(0xec, Buffer.concat([Buffer.from('Ducky', 'latin1'), Buffer.from(SECRETS.comment)]));
    const clean = expectOk(cleanImage(spliceJpeg(made.jpeg, [icc, adobe, mpf, ducky]), LIMITS));
    expect(contains(clean.bytes, icc)).toBe(true);
    expect(contains(clean.bytes, adobe)).toBe(true);
    expect(clean.removed).toEqual(expect.arrayContaining(['mpf', 'app12']));
    expectNoSecrets(clean.bytes);
    expect(await pixelsOf(clean.bytes, 'jpg')).toEqual(await pixelsOf(made.jpeg, 'jpg'));
  });

  it('drops a JFIF thumbnail but keeps the JFIF header', () => {
    const jfifLength = made.jpeg.readUInt16BE(4);
    const withThumbnail = Buffer.concat([
      made.jpeg.subarray(0, 2),
      jpegSegment(0xe0, Buffer.concat([made.jpeg.subarray(6, 6 + 12), Buffer.from([1, 1, 0xaa, 0xbb, 0xcc])])),
      made.jpeg.subarray(4 + jfifLength),
    ]);
    const clean = expectOk(cleanImage(withThumbnail, LIMITS));
    expect(clean.removed).toContain('jfif-thumbnail');
    const out = Buffer.from(clean.bytes);
    expect(out.readUInt16BE(4)).toBe(16); // APP0 back to its bare 14-byte JFIF header
    expect(out.subarray(6, 18)).toEqual(made.jpeg.subarray(6, 18)); // version, units, density
    expect([out[18], out[19], out[20]]).toEqual([0, 0, 0xff]); // no thumbnail, next marker follows
  });

  it('strips a comment hidden after the image data, before EOI', async () => {
    const dirty = Buffer.concat([made.jpeg.subarray(0, -2), jpegComment(), made.jpeg.subarray(-2)]);
    const clean = expectOk(cleanImage(dirty, LIMITS));
    expect(contains(clean.bytes, SECRETS.comment)).toBe(false);
    expect(await pixelsOf(clean.bytes, 'jpg')).toEqual(await pixelsOf(made.jpeg, 'jpg'));
  });

  it('refuses a truncated JPEG, wherever it is cut, as corrupt', () => {
    for (const cut of [3, 5, 30, 200, Math.floor(made.jpeg.length / 2), made.jpeg.length - 2, made.jpeg.length - 1]) {
      expectProblem(cleanImage(made.jpeg.subarray(0, cut), LIMITS), 'corrupt');
    }
  });

  it('refuses a segment whose length overruns the file as corrupt', () => {
    const broken = Buffer.from(made.jpeg);
    broken.writeUInt16BE(0xfff0, 4); // the JFIF APP0's length
    expectProblem(cleanImage(broken, LIMITS), 'corrupt', /runs past the end/);
  });

  it('refuses a tiny file declaring 65,000 × 65,000 pixels as too many pixels, not corrupt', () => {
    const sof = Buffer.from([8, 0xfd, 0xe8, 0xfd, 0xe8, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    const bomb = Buffer.concat([Buffer.from([0xff, 0xd8]), jpegSegment(0xc0, sof)]);
    expectProblem(cleanImage(bomb, LIMITS), 'too_many_pixels', /65000 × 65000/);
  });

  it('refuses pictures over maxPixels or maxSide', () => {
    expectProblem(cleanImage(made.jpeg, { ...LIMITS, maxPixels: 320 * 240 - 1 }), 'too_many_pixels', /megapixels/);
    expectProblem(cleanImage(made.jpeg, { ...LIMITS, maxSide: 319 }), 'too_many_pixels', /319 pixels on either side/);
    expect(cleanImage(made.jpeg, { ...LIMITS, maxPixels: 320 * 240, maxSide: 320 }).ok).toBe(true);
  });

  it('refuses JPEG processes browsers do not display as unsupported', () => {
    const lossless = Buffer.from(made.jpeg);
    const sofAt = lossless.indexOf(Buffer.from([0xff, 0xc0]));
    lossless[sofAt + 1] = 0xc3;
    expectProblem(cleanImage(lossless, LIMITS), 'unsupported', /lossless/);
  });
});

describe('cleanImage: PNG', () => {
  it('strips text, XMP, EXIF with GPS, time, private chunks and trailing data, keeping pixels and colour chunks', async () => {
    const srgb = pngChunk('sRGB', Buffer.from([0]));
    const gama = pngChunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f]));
    const dirty = splicePng(
      made.png,
      [
        srgb,
        gama,
        pngChunk('eXIf', exifTiff({ orientation: 1 })),
        pngChunk('tEXt', Buffer.from(`Author\0${SECRETS.text}`, 'latin1')),
        pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), Buffer.from(xmpPacket())])),
        pngChunk('tIME', Buffer.from([0x07, 0xea, 1, 2, 3, 4, 5])),
      ],
      [
        pngChunk(
          'zTXt',
          Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])]),
        ),
        pngChunk('prVt', Buffer.from(SECRETS.comment)),
      ],
      Buffer.from(SECRETS.trailer),
    );
    const clean = expectOk(cleanImage(dirty, LIMITS, 'image/png'));
    expect(clean.removed).toEqual(expect.arrayContaining(['exif', 'gps', 'text', 'xmp', 'time', 'prVt', 'trailer']));
    expectNoSecrets(clean.bytes);
    expect(pngChunkTypes(clean.bytes)).toEqual(['IHDR', 'sRGB', 'gAMA', 'pHYs', 'IDAT', 'IEND']);
    expect(contains(clean.bytes, srgb) && contains(clean.bytes, gama)).toBe(true);
    expect(await pixelsOf(clean.bytes, 'png')).toEqual(await pixelsOf(made.png, 'png'));
    expect({ width: clean.width, height: clean.height, orientation: clean.orientation }).toEqual({ ...SIZE, orientation: 1 });
  });

  it('keeps an early eXIf orientation as an orientation-only eXIf with a valid CRC', async () => {
    const clean = expectOk(cleanImage(splicePng(made.png, [pngChunk('eXIf', exifTiff({ orientation: 8 }))]), LIMITS));
    expect(clean.orientation).toBe(8);
    expect({ width: clean.width, height: clean.height }).toEqual({ width: 240, height: 320 });
    expect(pngChunkTypes(clean.bytes)).toEqual(['IHDR', 'eXIf', 'pHYs', 'IDAT', 'IEND']);
    // Our own cleaner accepts it again (so every CRC checks out)…
    expect(expectOk(cleanImage(clean.bytes, LIMITS)).orientation).toBe(8);
    // …and ffmpeg, reading the kept TIFF block as a JPEG's EXIF, finds the orientation and nothing else.
    const b = Buffer.from(clean.bytes);
    const exifAt = b.indexOf('eXIf') - 4;
    const tiff = b.subarray(exifAt + 8, exifAt + 8 + b.readUInt32BE(exifAt));
    expect(await frameTagsOf(spliceJpeg(made.jpeg, [jpegExif(tiff)]), 'jpg')).toEqual({ Orientation: '8' });
    expectNoSecrets(clean.bytes);
  });

  it('ignores (and drops) an eXIf after the image data, which browsers never honour', () => {
    const clean = expectOk(cleanImage(splicePng(made.png, [], [pngChunk('eXIf', exifTiff({ orientation: 6 }))]), LIMITS));
    expect(clean.orientation).toBe(1);
    expect({ width: clean.width, height: clean.height }).toEqual(SIZE);
    expect(pngChunkTypes(clean.bytes)).not.toContain('eXIf');
  });

  it('checks every PNG CRC it writes with zlib, independently', () => {
    const clean = expectOk(cleanImage(splicePng(made.png, [pngChunk('eXIf', exifTiff({ orientation: 3 }))]), LIMITS));
    const b = Buffer.from(clean.bytes);
    for (let at = 8; at < b.length; at += 12 + b.readUInt32BE(at)) {
      const length = b.readUInt32BE(at);
      expect(b.readUInt32BE(at + 8 + length)).toBe(crc32(b.subarray(at + 4, at + 8 + length)));
    }
    expect(clean.orientation).toBe(3);
    expect({ width: clean.width, height: clean.height }).toEqual(SIZE); // a half turn keeps the shape
  });

  it('keeps a palette picture intact', async () => {
    const clean = expectOk(cleanImage(made.palette, LIMITS));
    expect(pngChunkTypes(clean.bytes)).toContain('PLTE');
    expect(await pixelsOf(clean.bytes, 'png')).toEqual(await pixelsOf(made.palette, 'png'));
  });

  it('refuses a chunk whose CRC does not match as corrupt, naming the chunk', () => {
    const broken = Buffer.from(made.png);
    const idat = broken.indexOf('IDAT');
    broken[idat + 10] = broken[idat + 10]! ^ 0x01;
    expectProblem(cleanImage(broken, LIMITS), 'corrupt', /CRC.*IDAT/);
  });

  it('refuses truncated PNGs and broken structure as corrupt', () => {
    for (const cut of [9, 20, 33, Math.floor(made.png.length / 2), made.png.length - 12, made.png.length - 1]) {
      expectProblem(cleanImage(made.png.subarray(0, cut), LIMITS), 'corrupt');
    }
    const ihdrEnd = 8 + 25;
    const noIdat = Buffer.concat([made.png.subarray(0, ihdrEnd), made.png.subarray(-12)]);
    expectProblem(cleanImage(noIdat, LIMITS), 'corrupt', /no image data/);
    const textFirst = Buffer.concat([made.png.subarray(0, 8), pngChunk('tEXt', Buffer.from('a\0b')), made.png.subarray(8)]);
    expectProblem(cleanImage(textFirst, LIMITS), 'corrupt', /IHDR/);
  });

  it('refuses a tiny PNG declaring 100,000 × 100,000 pixels as too many pixels', () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(100_000, 0);
    ihdr.writeUInt32BE(100_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([
      made.png.subarray(0, 8),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00])),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    expect(bomb.length).toBeLessThan(100);
    expectProblem(cleanImage(bomb, LIMITS), 'too_many_pixels', /100000 × 100000 pixels \(10,000 megapixels\)/);
  });

  it('refuses an animated PNG, and a critical chunk browsers do not know, as unsupported', () => {
    expect(pngChunkTypes(made.apng)).toContain('acTL');
    expectProblem(cleanImage(made.apng, LIMITS), 'unsupported', /animated PNG/);
    const apple = Buffer.concat([made.png.subarray(0, 8), pngChunk('CgBI', Buffer.from([0x50, 0, 0x20, 2])), made.png.subarray(8)]);
    // CgBI before IHDR is Apple's "crushed" PNG; after IHDR, still a critical chunk no browser knows.
    expectProblem(cleanImage(apple, LIMITS), 'corrupt');
    expectProblem(cleanImage(splicePng(made.png, [pngChunk('CgBI', Buffer.from([0x50, 0, 0x20, 2]))]), LIMITS), 'unsupported', /CgBI/);
  });
});

describe('cleanImage: WebP', () => {
  const flags = { icc: 0x20, exif: 0x08, xmp: 0x04 };

  for (const kind of ['webp', 'webpLossless'] as const) {
    it(`strips EXIF with GPS and XMP from an extended ${kind === 'webp' ? 'lossy' : 'lossless'} WebP, clearing their flags`, async () => {
      const icc = riffChunk('ICCP', Buffer.alloc(40, 3));
      const dirty = extendWebp(made[kind], SIZE, {
        flags: flags.icc | flags.exif | flags.xmp,
        before: [icc],
        after: [
          riffChunk('EXIF', exifTiff({ orientation: 1 })),
          riffChunk('XMP ', Buffer.from(xmpPacket())),
          riffChunk('prVt', Buffer.from(SECRETS.comment)),
        ],
      });
      expect(await frameTagsOf(dirty, 'webp')).toMatchObject({ GPSMapDatum: SECRETS.datum });

      const clean = expectOk(cleanImage(dirty, LIMITS, 'image/webp'));
      expect(clean.removed).toEqual(['exif', 'gps', 'xmp', 'prvt']);
      expectNoSecrets(clean.bytes);
      expect(riffChunkIds(clean.bytes)).toEqual(['VP8X', 'ICCP', kind === 'webp' ? 'VP8 ' : 'VP8L']);
      expect(clean.bytes[20]).toBe(flags.icc);
      expect(Buffer.from(clean.bytes).readUInt32LE(4)).toBe(clean.bytes.length - 8);
      expect(await frameTagsOf(clean.bytes, 'webp')).toEqual({});
      expect(await pixelsOf(clean.bytes, 'webp')).toEqual(await pixelsOf(made[kind], 'webp'));
      expect({ width: clean.width, height: clean.height }).toEqual(SIZE);
    });
  }

  it('drops WebP EXIF orientation too, reporting the size as stored (browsers disagree on it)', () => {
    const dirty = extendWebp(made.webp, SIZE, { flags: flags.exif, after: [riffChunk('EXIF', exifTiff({ orientation: 6 }))] });
    const clean = expectOk(cleanImage(dirty, LIMITS));
    expect({ width: clean.width, height: clean.height, orientation: clean.orientation }).toEqual({ ...SIZE, orientation: 1 });
    expect(riffChunkIds(clean.bytes)).toEqual(['VP8X', 'VP8 ']);
  });

  it('passes a simple WebP through unchanged, minus trailing data', () => {
    expect(Buffer.from(expectOk(cleanImage(made.webp, LIMITS)).bytes)).toEqual(made.webp);
    const clean = expectOk(cleanImage(Buffer.concat([made.webp, Buffer.from(SECRETS.trailer)]), LIMITS));
    expect(clean.removed).toEqual(['trailer']);
    expect(Buffer.from(clean.bytes)).toEqual(made.webp);
  });

  it('refuses an animated WebP as unsupported', () => {
    expect(riffChunkIds(made.webpAnimated)).toContain('ANIM');
    expectProblem(cleanImage(made.webpAnimated, LIMITS), 'unsupported', /animated WebP/);
  });

  it('refuses truncated or inconsistent WebPs as corrupt', () => {
    for (const cut of [12, 16, 24, Math.floor(made.webp.length / 2), made.webp.length - 1]) {
      expectProblem(cleanImage(made.webp.subarray(0, cut), LIMITS), 'corrupt');
    }
    // A canvas that disagrees with the image inside it.
    expectProblem(cleanImage(extendWebp(made.webp, { width: 321, height: 240 }, { flags: 0 }), LIMITS), 'corrupt', /canvas/);
    // An image chunk announcing more bytes than the file holds.
    const lying = Buffer.from(made.webp);
    lying.writeUInt32LE(made.webp.length, 16);
    expectProblem(cleanImage(lying, LIMITS), 'corrupt', /runs past the end/);
  });

  it('refuses a tiny WebP declaring a 16,384 × 16,384 canvas as too many pixels', () => {
    const vp8l = Buffer.from([0x2f, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0]); // 16384 × 16384, no alpha, version 0
    const bomb = webpFile([riffChunk('VP8L', vp8l)]);
    expectProblem(cleanImage(bomb, LIMITS), 'too_many_pixels', /16384 × 16384/);
    const extended = webpFile([riffChunk('VP8X', Buffer.from([0, 0, 0, 0, 0xff, 0x3f, 0, 0xff, 0x3f, 0])), riffChunk('VP8L', vp8l)]);
    expectProblem(cleanImage(extended, LIMITS), 'too_many_pixels');
  });
});
