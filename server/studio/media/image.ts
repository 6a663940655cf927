/**
 * Checks and cleans a picture uploaded in the studio, from its bytes alone.
 *
 * Only the bytes decide the type: a name or a declared Content-Type is a claim to check, never a
 * fact. The check is structural (containers, segment and chunk walks, headers) rather than a full
 * decode, so it is cheap on any upload the size limit lets through; the pixels themselves are copied
 * untouched, which is why cleaning can promise "same picture, less metadata".
 */
import { crc32 } from 'node:zlib';
import {
  concatBytes,
  describeSize,
  fourcc,
  hasAscii,
  hasBytes,
  hexHead,
  identifyFormat,
  latin1,
  printableCode,
  Truncated,
  u16be,
  u16le,
  u24le,
  u32be,
  u32le,
  u8,
} from './bytes';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface ImageLimits {
  /** Checked before anything is parsed. */
  maxBytes: number;
  /** width × height as stored; the decompression-bomb guard. */
  maxPixels: number;
  /** Longest side, as stored. */
  maxSide?: number;
}

/**
 * A suggestion, not a rule of this module: room for a 48-megapixel phone photo, well under what a
 * browser tab can decode without trouble. WebP cannot exceed 16,383 pixels a side anyway.
 */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxSide: 16_384,
};

export type ImageProblem = 'not_image' | 'type_mismatch' | 'too_large' | 'too_many_pixels' | 'corrupt' | 'unsupported';

export type CleanedImage =
  | {
      ok: true;
      type: ImageType;
      /** As displayed: swapped from the stored size when the kept orientation turns the picture a quarter. */
      width: number;
      height: number;
      /** EXIF orientation kept in the output (1 = as stored). */
      orientation: number;
      bytes: Uint8Array;
      /** What was taken out, for the audit log: `exif`, `gps`, `xmp`, `iptc`, `comment`, `trailer`, … */
      removed: string[];
    }
  | { ok: false; problem: ImageProblem; message: string };

export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  if (hasBytes(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (hasBytes(bytes, 0, PNG_SIGNATURE)) return 'image/png';
  if (hasAscii(bytes, 0, 'RIFF') && hasAscii(bytes, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

export function cleanImage(bytes: Uint8Array, limits: ImageLimits, declaredType?: string): CleanedImage {
  if (bytes.length > limits.maxBytes) {
    return refuse('too_large', `The picture is ${describeSize(bytes.length)}; the limit is ${describeSize(limits.maxBytes)}.`);
  }
  const type = sniffImage(bytes);
  if (!type) return refuseForeign(bytes);
  const declared = declaredImageType(declaredType);
  if (declared !== undefined && declared !== type) {
    return refuse('type_mismatch', `The file was sent as ${declared}, but its bytes are ${FORMAT_NAMES[type]} (${type}).`);
  }
  try {
    const cleaned = CLEANERS[type](bytes, pixelGuard(limits, FORMAT_NAMES[type]));
    const turned = cleaned.orientation >= 5;
    return {
      ok: true,
      type,
      width: turned ? cleaned.height : cleaned.width,
      height: turned ? cleaned.width : cleaned.height,
      orientation: cleaned.orientation,
      bytes: cleaned.bytes,
      removed: [...new Set(cleaned.removed)],
    };
  } catch (error) {
    if (error instanceof ImageFault) return refuse(error.problem, error.message);
    if (error instanceof Truncated) {
      return refuse(
        'corrupt',
        `The ${FORMAT_NAMES[type]} is cut short or damaged: a structure runs past the end of the file (byte ${error.at}).`,
      );
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared

const FORMAT_NAMES: Record<ImageType, string> = {
  'image/jpeg': 'a JPEG picture',
  'image/png': 'a PNG picture',
  'image/webp': 'a WebP picture',
};

/** Spellings browsers and old clients send for the same three types. */
const TYPE_ALIASES: Record<string, ImageType> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
};

/**
 * The declared type as a bare lower-case media type, or undefined when nothing was really claimed:
 * browsers send an empty type or application/octet-stream for files they cannot name, and refusing
 * those would punish the browser, not the file.
 */
function declaredImageType(declared: string | undefined): string | undefined {
  if (declared === undefined) return undefined;
  const essence = (declared.split(';')[0] ?? '').trim().toLowerCase();
  if (essence === '' || essence === 'application/octet-stream') return undefined;
  return TYPE_ALIASES[essence] ?? essence;
}

class ImageFault extends Error {
  constructor(
    readonly problem: ImageProblem,
    message: string,
  ) {
    super(message);
  }
}

function fail(problem: ImageProblem, message: string): never {
  throw new ImageFault(problem, message);
}

function refuse(problem: ImageProblem, message: string): CleanedImage {
  return { ok: false, problem, message };
}

function refuseForeign(bytes: Uint8Array): CleanedImage {
  if (bytes.length === 0) return refuse('not_image', 'The file is empty.');
  const known = identifyFormat(bytes);
  const accepted = 'Only JPEG, PNG and WebP pictures are accepted.';
  if (known?.kind === 'picture') {
    const hint =
      known.name === 'an HEIC picture'
        ? ' On an iPhone, choose Settings › Camera › Formats › Most Compatible, or share the photo as JPEG.'
        : known.name === 'an SVG drawing'
          ? ' SVG can carry scripts; export it as PNG.'
          : '';
    return refuse('unsupported', `The file is ${known.name}. ${accepted}${hint}`);
  }
  const what = known ? `its bytes are ${known.name}` : `it starts with the bytes ${hexHead(bytes)}`;
  return refuse('not_image', `The file is not a picture: ${what}. ${accepted}`);
}

type PixelGuard = (width: number, height: number) => void;

/** Runs as soon as a header states the size, before the rest is walked: a bomb is refused as a bomb. */
function pixelGuard(limits: ImageLimits, format: string): PixelGuard {
  return (width, height) => {
    if (width < 1 || height < 1) fail('corrupt', `The ${format.slice(2)} states a size of ${width} × ${height} pixels.`);
    const pixels = width * height;
    if (pixels > limits.maxPixels) {
      fail(
        'too_many_pixels',
        `The picture is ${width} × ${height} pixels (${megapixels(pixels)}); the limit is ${megapixels(limits.maxPixels)}.`,
      );
    }
    if (limits.maxSide !== undefined && Math.max(width, height) > limits.maxSide) {
      fail(
        'too_many_pixels',
        `The picture is ${width} × ${height} pixels; the limit is ${limits.maxSide.toLocaleString('en-US')} pixels on either side.`,
      );
    }
  };
}

function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? Math.round(mp).toLocaleString('en-US') : Math.round(mp * 10) / 10} megapixels`;
}

interface Cleaned {
  /** As stored. */
  width: number;
  height: number;
  orientation: number;
  bytes: Uint8Array;
  removed: string[];
}

const CLEANERS: Record<ImageType, (bytes: Uint8Array, guard: PixelGuard) => Cleaned> = {
  'image/jpeg': cleanJpeg,
  'image/png': cleanPng,
  'image/webp': cleanWebp,
};

// ---------------------------------------------------------------------------------------------
// EXIF: only two facts are read (orientation, whether a GPS block exists); everything else goes.

interface ExifFacts {
  orientation: number;
  gps: boolean;
}

const ORIENTATION_TAG = 0x0112;
const GPS_IFD_TAG = 0x8825;

/**
 * Reads IFD0 of a TIFF-structured EXIF block, with or without the "Exif\0\0" preamble JPEG uses.
 * Malformed EXIF is not a broken picture (it is thrown away regardless), so it reads as "upright,
 * no GPS" rather than failing the upload.
 */
function readExif(block: Uint8Array): ExifFacts {
  const facts: ExifFacts = { orientation: 1, gps: false };
  const tiff = hasAscii(block, 0, 'Exif\0\0') ? block.subarray(6) : block;
  try {
    const little = hasAscii(tiff, 0, 'II*\0');
    if (!little && !hasAscii(tiff, 0, 'MM\0*')) return facts;
    const u16 = little ? u16le : u16be;
    const u32 = little ? u32le : u32be;
    const ifd = u32(tiff, 4);
    const count = u16(tiff, ifd);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      const tag = u16(tiff, entry);
      if (tag === GPS_IFD_TAG) facts.gps = true;
      if (tag === ORIENTATION_TAG && u16(tiff, entry + 2) === 3 && u32(tiff, entry + 4) === 1) {
        const value = u16(tiff, entry + 8);
        if (value >= 1 && value <= 8) facts.orientation = value;
      }
    }
  } catch (error) {
    if (!(error instanceof Truncated)) throw error;
  }
  return facts;
}

/** A TIFF block whose only entry is the Orientation tag: what a browser needs to turn the picture. */
function orientationOnlyExif(orientation: number): Uint8Array {
  const tiff = new Uint8Array(26);
  const view = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d, 0x00, 0x2a]); // "MM", 42: big-endian TIFF
  view.setUint32(4, 8); // IFD0 right after the header
  view.setUint16(8, 1); // one entry
  view.setUint16(10, ORIENTATION_TAG);
  view.setUint16(12, 3); // SHORT
  view.setUint32(14, 1); // one value, stored left-justified in the value field
  view.setUint16(18, orientation);
  view.setUint32(22, 0); // no IFD1 (and so no thumbnail)
  return tiff;
}

function exifRemovals(facts: ExifFacts): string[] {
  return facts.gps ? ['exif', 'gps'] : ['exif'];
}

// ---------------------------------------------------------------------------------------------
// JPEG: SOI, segments, SOS + entropy-coded data (repeated for progressive scans), EOI.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;
const APP0 = 0xe0;

const JPEG_PROCESSES: Record<number, string> = {
  0xc0: 'baseline',
  0xc1: 'extended sequential',
  0xc2: 'progressive',
  0xc3: 'lossless',
  0xc5: 'differential sequential (hierarchical)',
  0xc6: 'differential progressive (hierarchical)',
  0xc7: 'differential lossless (hierarchical)',
  0xc9: 'arithmetic-coded sequential',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'arithmetic-coded differential sequential',
  0xce: 'arithmetic-coded differential progressive',
  0xcf: 'arithmetic-coded differential lossless',
  0xf7: 'JPEG-LS',
};

/** What every browser decodes: Huffman-coded, 8-bit, one frame. */
const JPEG_WEB_PROCESSES = new Set([0xc0, 0xc1, 0xc2]);

/** Tables and parameters that may sit between segments: kept as they are. */
const JPEG_TABLES = new Set([0xc4, 0xcc, 0xdb, 0xdd, 0xdc]);

function hex2(marker: number): string {
  return `FF${marker.toString(16).toUpperCase().padStart(2, '0')}`;
}

function cleanJpeg(b: Uint8Array, guard: PixelGuard): Cleaned {
  const kept: Uint8Array[] = [b.subarray(0, 2)];
  const removed: string[] = [];
  let exifSlot = 1; // after SOI, moved past a leading JFIF segment (which must come first)
  let exif: ExifFacts | undefined;
  let frame: { width: number; height: number } | undefined;
  let scans = 0;
  let at = 2;

  for (;;) {
    if (at >= b.length) fail('corrupt', 'The JPEG is cut short: it ends before its end-of-image marker.');
    if (b[at] !== 0xff) fail('corrupt', `The JPEG is damaged: expected a marker at byte ${at}.`);
    while (b[at + 1] === 0xff) at++; // fill bytes may pad any marker
    const marker = b[at + 1];
    if (marker === undefined) fail('corrupt', 'The JPEG is cut short: it ends inside a marker.');
    if (marker === EOI) {
      if (!frame || scans === 0) fail('corrupt', 'The JPEG ends before any image data.');
      kept.push(b.subarray(at, at + 2));
      if (at + 2 < b.length) removed.push('trailer');
      break;
    }
    if (marker === SOI || marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      fail('corrupt', `The JPEG is damaged: marker ${hex2(marker)} at byte ${at} is out of place.`);
    }
    const length = u16be(b, at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > b.length) {
      fail('corrupt', `The JPEG is cut short or damaged: segment ${hex2(marker)} at byte ${at} runs past the end of the file.`);
    }
    const segment = b.subarray(at, end);
    const payload = b.subarray(at + 4, end);

    if (marker in JPEG_PROCESSES) {
      if (frame) fail('unsupported', 'The JPEG has more than one frame header (a hierarchical JPEG), which browsers do not display.');
      frame = readJpegFrame(marker, payload, guard);
      kept.push(segment);
    } else if (marker === SOS) {
      if (!frame) fail('corrupt', 'The JPEG is damaged: image data starts before the frame header.');
      const components = payload[0] ?? 0;
      if (components < 1 || components > 4 || payload.length !== 4 + 2 * components) {
        fail('corrupt', `The JPEG is damaged: the scan header at byte ${at} is malformed.`);
      }
      const dataEnd = endOfEntropyData(b, end);
      kept.push(b.subarray(at, dataEnd));
      scans++;
      at = dataEnd;
      continue;
    } else if (JPEG_TABLES.has(marker)) {
      kept.push(segment);
    } else if (marker >= APP0 && marker <= 0xef) {
      const verdict = judgeAppSegment(marker, payload);
      if (verdict.keep) kept.push(verdict.keep === true ? segment : verdict.keep);
      if (verdict.removed) removed.push(...verdict.removed);
      if (verdict.exif && !exif && scans === 0) exif = verdict.exif;
      if (verdict.jfif && kept.length === 2) exifSlot = 2;
    } else if (marker === COM) {
      removed.push('comment');
    } else if (marker === 0xde || marker === 0xdf) {
      fail('unsupported', 'The JPEG is hierarchical (it has a DHP or EXP marker), which browsers do not display.');
    } else {
      fail('corrupt', `The JPEG is damaged: unknown marker ${hex2(marker)} at byte ${at}.`);
    }
    at = end;
  }

  if (!frame) fail('corrupt', 'The JPEG has no frame header.');
  const orientation = exif?.orientation ?? 1;
  if (orientation !== 1) kept.splice(exifSlot, 0, jpegExifSegment(orientationOnlyExif(orientation)));
  return { ...frame, orientation, bytes: concatBytes(kept), removed };
}

function readJpegFrame(marker: number, payload: Uint8Array, guard: PixelGuard): { width: number; height: number } {
  const process = JPEG_PROCESSES[marker] ?? 'unknown';
  if (!JPEG_WEB_PROCESSES.has(marker)) {
    fail(
      'unsupported',
      `The JPEG uses the ${process} process, which browsers do not display; save it again as a standard (baseline or progressive) JPEG.`,
    );
  }
  const precision = u8(payload, 0);
  const height = u16be(payload, 1);
  const width = u16be(payload, 3);
  const components = payload[5] ?? 0;
  if (components < 1 || components > 4 || payload.length !== 6 + 3 * components) {
    fail('corrupt', 'The JPEG is damaged: its frame header is malformed.');
  }
  if (precision !== 8) fail('unsupported', `The JPEG has ${precision}-bit samples; browsers display only 8-bit JPEG.`);
  if (height === 0)
    fail('unsupported', 'The JPEG states its height only after the image data (a DNL marker), which browsers do not support.');
  guard(width, height);
  return { width, height };
}

/**
 * Finds the marker that ends a scan's entropy-coded data. Inside it, FF is always followed by a
 * stuffed 00 or a restart marker; any other FF xx is the next segment (or EOI).
 */
function endOfEntropyData(b: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    at = b.indexOf(0xff, at);
    if (at < 0 || at + 1 >= b.length) {
      fail('corrupt', 'The JPEG is cut short: its image data ends without an end-of-image marker.');
    }
    const next = b[at + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
    else if (next === 0xff) at += 1;
    else return at;
  }
}

interface AppVerdict {
  /** true: keep the segment as it is; bytes: keep these instead. */
  keep?: true | Uint8Array;
  removed?: readonly string[];
  exif?: ExifFacts;
  jfif?: boolean;
}

/**
 * Keeps exactly what decoding needs: JFIF (density, and the convention that 3 components are
 * YCbCr), the ICC profile (or colours shift), Adobe APP14 (or CMYK/YCCK pictures invert). The rest
 * is metadata: EXIF (camera, time, GPS, thumbnails), XMP, IPTC, MPF with its hidden extra images…
 */
function judgeAppSegment(marker: number, payload: Uint8Array): AppVerdict {
  const n = marker - APP0;
  if (n === 0 && hasAscii(payload, 0, 'JFIF\0')) {
    if (payload.length < 14) return { removed: ['app0'] };
    const thumbnail = payload.length > 14 || payload[12] !== 0 || payload[13] !== 0;
    if (!thumbnail) return { keep: true, jfif: true };
    // A JFIF thumbnail is a second picture that an editor may not have updated after a crop.
    const header = new Uint8Array(18);
    header.set([0xff, APP0, 0x00, 0x10]);
    header.set(payload.subarray(0, 12), 4);
    return { keep: header, removed: ['jfif-thumbnail'], jfif: true };
  }
  if (n === 1 && hasAscii(payload, 0, 'Exif\0')) {
    const exif = readExif(payload);
    return { removed: exifRemovals(exif), exif };
  }
  if (n === 1 && hasAscii(payload, 0, 'http://ns.adobe.com/')) return { removed: ['xmp'] };
  if (n === 2 && hasAscii(payload, 0, 'ICC_PROFILE\0')) return { keep: true };
  if (n === 2 && hasAscii(payload, 0, 'MPF\0')) return { removed: ['mpf'] };
  if (n === 13) return { removed: ['iptc'] };
  if (n === 14 && hasAscii(payload, 0, 'Adobe')) return { keep: true };
  return { removed: [`app${n}`] };
}

function jpegExifSegment(tiff: Uint8Array): Uint8Array {
  const segment = new Uint8Array(4 + 6 + tiff.length);
  segment.set([0xff, 0xe1, (segment.length - 2) >> 8, (segment.length - 2) & 0xff]);
  segment.set([0x45, 0x78, 0x69, 0x66, 0, 0], 4); // "Exif\0\0"
  segment.set(tiff, 10);
  return segment;
}

// ---------------------------------------------------------------------------------------------
// PNG: signature, IHDR, …, IDAT…, …, IEND, every chunk with a CRC.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Ancillary chunks that change how the pixels look; everything else ancillary is dropped. */
const PNG_KEPT = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'cICP', 'mDCv', 'cLLi']);

const PNG_REMOVED_AS: Record<string, string> = {
  tEXt: 'text',
  zTXt: 'text',
  iTXt: 'text',
  eXIf: 'exif',
  tIME: 'time',
};

const PNG_BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function cleanPng(b: Uint8Array, guard: PixelGuard): Cleaned {
  const kept: Uint8Array[] = [b.subarray(0, 8)];
  const removed: string[] = [];
  let header: { width: number; height: number; colourType: number } | undefined;
  let palette = false;
  let idat: 'none' | 'open' | 'closed' = 'none';
  let exif: ExifFacts | undefined;
  let at = 8;

  for (;;) {
    if (at + 12 > b.length) fail('corrupt', 'The PNG is cut short: it ends before its IEND chunk.');
    const length = u32be(b, at);
    const type = latin1(b, at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) fail('corrupt', `The PNG is damaged: the chunk at byte ${at} has an invalid type.`);
    if (length > 0x7fff_ffff || at + 12 + length > b.length) {
      fail('corrupt', `The PNG is cut short or damaged: chunk ${type} at byte ${at} runs past the end of the file.`);
    }
    const end = at + 12 + length;
    const data = b.subarray(at + 8, at + 8 + length);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== u32be(b, at + 8 + length)) {
      fail('corrupt', `The PNG is damaged: the checksum (CRC) of chunk ${type} at byte ${at} does not match its contents.`);
    }
    const chunk = b.subarray(at, end);
    if (!header && type !== 'IHDR') fail('corrupt', `The PNG is damaged: it starts with ${type} instead of IHDR.`);
    if (idat === 'open' && type !== 'IDAT') idat = 'closed';

    if (type === 'IHDR') {
      if (header) fail('corrupt', 'The PNG is damaged: it has two IHDR chunks.');
      header = readPngHeader(data, guard);
      kept.push(chunk);
    } else if (type === 'PLTE') {
      if (palette || idat !== 'none') fail('corrupt', 'The PNG is damaged: its palette is repeated or comes after the image data.');
      if (length === 0 || length % 3 !== 0 || length > 768) fail('corrupt', 'The PNG is damaged: its palette has an invalid size.');
      if (header!.colourType === 0 || header!.colourType === 4)
        fail('corrupt', 'The PNG is damaged: a greyscale picture cannot have a palette.');
      palette = true;
      kept.push(chunk);
    } else if (type === 'IDAT') {
      if (idat === 'closed') fail('corrupt', 'The PNG is damaged: its image data (IDAT) is split by other chunks.');
      if (header!.colourType === 3 && !palette)
        fail('corrupt', 'The PNG is damaged: a palette picture has no palette before its image data.');
      idat = 'open';
      kept.push(chunk);
    } else if (type === 'IEND') {
      if (idat === 'none') fail('corrupt', 'The PNG has no image data (IDAT).');
      if (length !== 0) fail('corrupt', 'The PNG is damaged: its IEND chunk is not empty.');
      kept.push(chunk);
      if (end < b.length) removed.push('trailer');
      break;
    } else if (type === 'acTL') {
      fail('unsupported', 'The file is an animated PNG (APNG). Animated pictures are not accepted; upload the animation as an MP4 video.');
    } else if (isCritical(type)) {
      fail('unsupported', `The PNG needs a chunk browsers do not understand (${type}); save it again as a standard PNG.`);
    } else if (PNG_KEPT.has(type)) {
      kept.push(chunk);
    } else if (type === 'eXIf') {
      const facts = readExif(data);
      removed.push(...exifRemovals(facts));
      // Browsers honour eXIf orientation only before the image data; a later one never turned it.
      if (!exif && idat === 'none') {
        exif = facts;
        if (facts.orientation !== 1) kept.push(pngChunk('eXIf', orientationOnlyExif(facts.orientation)));
      }
    } else if (type === 'iTXt' && hasAscii(data, 0, 'XML:com.adobe.xmp\0')) {
      removed.push('xmp');
    } else {
      removed.push(PNG_REMOVED_AS[type] ?? type);
    }
    at = end;
  }

  return { width: header!.width, height: header!.height, orientation: exif?.orientation ?? 1, bytes: concatBytes(kept), removed };
}

function isCritical(type: string): boolean {
  // Bit 5 of the first letter: upper case means a decoder that does not know it must give up.
  return (type.charCodeAt(0) & 0x20) === 0;
}

function readPngHeader(data: Uint8Array, guard: PixelGuard): { width: number; height: number; colourType: number } {
  if (data.length !== 13) fail('corrupt', 'The PNG is damaged: its IHDR chunk has the wrong length.');
  const width = u32be(data, 0);
  const height = u32be(data, 4);
  const [depth, colourType, compression, filter, interlace] = data.subarray(8, 13);
  if (width > 0x7fff_ffff || height > 0x7fff_ffff) fail('corrupt', 'The PNG is damaged: its size is out of range.');
  if (!PNG_BIT_DEPTHS[colourType!]?.includes(depth!) || compression !== 0 || filter !== 0 || interlace! > 1) {
    fail('corrupt', `The PNG is damaged: its header states an invalid format (bit depth ${depth}, colour type ${colourType}).`);
  }
  guard(width, height);
  return { width, height, colourType: colourType! };
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// WebP: RIFF "WEBP", then a VP8 / VP8L image chunk, or VP8X followed by optional chunks.

const VP8X_ICC = 0x20;
const VP8X_ALPHA = 0x10;
const VP8X_ANIMATION = 0x02;

const WEBP_REMOVED_AS: Record<string, string> = { 'XMP ': 'xmp' };

interface RiffChunk {
  id: string;
  /** The whole chunk including its header and pad byte, ready to copy. */
  bytes: Uint8Array;
  data: Uint8Array;
  at: number;
}

function cleanWebp(b: Uint8Array, guard: PixelGuard): Cleaned {
  if (b.length < 12) fail('corrupt', 'The WebP is cut short: its header is incomplete.');
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length)
    fail('corrupt', `The WebP is cut short: its header promises ${describeSize(riffEnd)} but the file has ${describeSize(b.length)}.`);
  const chunks = riffChunks(b, riffEnd);
  const removed: string[] = riffEnd < b.length ? ['trailer'] : [];
  const first = chunks[0];
  if (!first) fail('corrupt', 'The WebP has no image data.');

  if (first.id === 'VP8 ' || first.id === 'VP8L') {
    const size = readWebpFrame(first, guard);
    for (const extra of chunks.slice(1)) removed.push(...webpRemovals(extra));
    return { ...size, orientation: 1, bytes: riff([first.bytes]), removed };
  }
  if (first.id !== 'VP8X') fail('corrupt', `The WebP is damaged: it starts with a ${printableCode(first.id)} chunk instead of an image.`);

  if (first.data.length < 10) fail('corrupt', 'The WebP is damaged: its VP8X chunk is too short.');
  const flags = first.data[0]!;
  const canvas = { width: u24le(first.data, 4) + 1, height: u24le(first.data, 7) + 1 };
  guard(canvas.width, canvas.height);
  if (canvas.width * canvas.height > 0xffff_ffff) fail('corrupt', 'The WebP is damaged: its canvas is larger than the format allows.');
  if (flags & VP8X_ANIMATION)
    fail('unsupported', 'The file is an animated WebP. Animated pictures are not accepted; upload the animation as an MP4 video.');

  const kept: Uint8Array[] = [];
  let icc = false;
  let image: { width: number; height: number } | undefined;
  for (const chunk of chunks.slice(1)) {
    if (chunk.id === 'ANIM' || chunk.id === 'ANMF') {
      fail('unsupported', 'The file is an animated WebP. Animated pictures are not accepted; upload the animation as an MP4 video.');
    } else if (chunk.id === 'VP8 ' || chunk.id === 'VP8L') {
      if (image) fail('corrupt', 'The WebP is damaged: it holds more than one image.');
      image = readWebpFrame(chunk, guard);
      if (image.width !== canvas.width || image.height !== canvas.height) {
        fail(
          'corrupt',
          `The WebP is damaged: its image is ${image.width} × ${image.height} but its canvas is ${canvas.width} × ${canvas.height}.`,
        );
      }
      kept.push(chunk.bytes);
    } else if (chunk.id === 'ALPH') {
      if (image) fail('corrupt', 'The WebP is damaged: its transparency (ALPH) comes after the image.');
      kept.push(chunk.bytes);
    } else if (chunk.id === 'ICCP') {
      if (icc || image) fail('corrupt', 'The WebP is damaged: its colour profile is repeated or comes after the image.');
      icc = true;
      kept.push(chunk.bytes);
    } else {
      // EXIF orientation is dropped too: browsers disagree on honouring it in WebP, so removing it
      // makes every browser show the stored pixels the same way.
      removed.push(...webpRemovals(chunk));
    }
  }
  if (!image) fail('corrupt', 'The WebP has no image data.');

  const header = new Uint8Array(18);
  header.set(first.bytes.subarray(0, 18));
  header[4] = 10; // anything a longer VP8X carried past its ten defined bytes is left behind
  header.fill(0, 5, 8);
  // Flags describe the chunks that remain: EXIF and XMP are gone, ICC only if its chunk is there.
  header[8] = (flags & VP8X_ALPHA) | (icc ? VP8X_ICC : 0);
  header.fill(0, 9, 12);
  return { ...image, orientation: 1, bytes: riff([header, ...kept]), removed };
}

function webpRemovals(chunk: RiffChunk): string[] {
  if (chunk.id === 'EXIF') return exifRemovals(readExif(chunk.data));
  return [WEBP_REMOVED_AS[chunk.id] ?? printableCode(chunk.id).trim().toLowerCase()];
}

function riffChunks(b: Uint8Array, riffEnd: number): RiffChunk[] {
  const chunks: RiffChunk[] = [];
  for (let at = 12; at < riffEnd;) {
    if (at + 8 > riffEnd) fail('corrupt', `The WebP is damaged: a chunk header at byte ${at} is cut short.`);
    const id = fourcc(b, at);
    const size = u32le(b, at + 4);
    const dataEnd = at + 8 + size;
    if (dataEnd > riffEnd)
      fail('corrupt', `The WebP is cut short or damaged: chunk ${printableCode(id)} at byte ${at} runs past the end of the file.`);
    // Chunks are padded to an even length; a writer that left out the last pad byte is forgiven.
    const end = Math.min(dataEnd + (size & 1), riffEnd);
    chunks.push({ id, bytes: b.subarray(at, end), data: b.subarray(at + 8, dataEnd), at });
    at = end;
  }
  return chunks;
}

function riff(parts: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes([new Uint8Array([0x57, 0x45, 0x42, 0x50]), ...parts.map(padded)]); // "WEBP"
  const out = new Uint8Array(8 + body.length);
  out.set([0x52, 0x49, 0x46, 0x46]); // "RIFF"
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function padded(chunk: Uint8Array): Uint8Array {
  return chunk.length % 2 === 0 ? chunk : concatBytes([chunk, new Uint8Array(1)]);
}

function readWebpFrame(chunk: RiffChunk, guard: PixelGuard): { width: number; height: number } {
  const d = chunk.data;
  if (chunk.id === 'VP8 ') {
    if (d.length < 10) fail('corrupt', 'The WebP is damaged: its VP8 frame header is incomplete.');
    const tag = u24le(d, 0);
    if ((tag & 1) !== 0) fail('corrupt', 'The WebP is damaged: its VP8 frame is not a key frame.');
    if (!hasBytes(d, 3, [0x9d, 0x01, 0x2a])) fail('corrupt', 'The WebP is damaged: its VP8 frame has no start code.');
    if (10 + (tag >>> 5) > d.length) fail('corrupt', 'The WebP is cut short: its VP8 frame is incomplete.');
    // The top two bits are an upscaling hint for the display, not part of the size.
    const size = { width: u16le(d, 6) & 0x3fff, height: u16le(d, 8) & 0x3fff };
    guard(size.width, size.height);
    return size;
  }
  if (d.length < 5 || d[0] !== 0x2f) fail('corrupt', 'The WebP is damaged: its lossless (VP8L) header is missing.');
  const bits = u32le(d, 1);
  if (bits >>> 29 !== 0) fail('corrupt', 'The WebP is damaged: its lossless (VP8L) header has an unknown version.');
  const size = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  guard(size.width, size.height);
  return size;
}
