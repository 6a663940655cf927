/**
 * Hand-built metadata to splice into real pictures: independent of the code under test (its own
 * TIFF writer, zlib's CRC), so a shared misunderstanding of a format cannot make both sides agree.
 */
import { crc32 } from 'node:zlib';

/** Strings and numbers that must not survive cleaning; distinctive so a byte search cannot false-match. */
export const SECRETS = {
  make: 'SiarPhone-Make-7731',
  datum: 'SIAR-GPS-DATUM-4412',
  xmp: 'siar-xmp-secret-9051',
  comment: 'siar-comment-secret-3318',
  text: 'siar-text-secret-6620',
  iptc: 'siar-iptc-secret-2207',
  trailer: 'siar-trailer-secret-8146',
  // 6° 10' 33.456" S, 106° 49' 39.012" E (Jakarta), as TIFF rationals.
  latitude: [
    [6, 1],
    [10, 1],
    [33456, 1000],
  ] as const,
  longitude: [
    [106, 1],
    [49, 1],
    [39012, 1000],
  ] as const,
};

type Entry = { tag: number; type: 2 | 3 | 4 | 5; count: number; data: Buffer };

const ascii = (tag: number, text: string): Entry => {
  const data = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: 2, count: data.length, data };
};
const short = (tag: number, value: number, little: boolean): Entry => {
  const data = Buffer.alloc(2);
  if (little) data.writeUInt16LE(value);
  else data.writeUInt16BE(value);
  return { tag, type: 3, count: 1, data };
};
const long = (tag: number, value: number, little: boolean): Entry => {
  const data = Buffer.alloc(4);
  if (little) data.writeUInt32LE(value);
  else data.writeUInt32BE(value);
  return { tag, type: 4, count: 1, data };
};
const rationals = (tag: number, values: readonly (readonly [number, number])[], little: boolean): Entry => {
  const data = Buffer.alloc(8 * values.length);
  values.forEach(([n, d], i) => {
    if (little) {
      data.writeUInt32LE(n, i * 8);
      data.writeUInt32LE(d, i * 8 + 4);
    } else {
      data.writeUInt32BE(n, i * 8);
      data.writeUInt32BE(d, i * 8 + 4);
    }
  });
  return { tag, type: 5, count: values.length, data };
};

/** Lays out one IFD at `offset`, its out-of-line values right after it; returns the bytes. */
function ifd(entries: Entry[], offset: number, little: boolean): Buffer {
  const head = Buffer.alloc(2 + entries.length * 12 + 4);
  const w16 = (v: number, at: number) => (little ? head.writeUInt16LE(v, at) : head.writeUInt16BE(v, at));
  const w32 = (v: number, at: number) => (little ? head.writeUInt32LE(v, at) : head.writeUInt32BE(v, at));
  w16(entries.length, 0);
  const extra: Buffer[] = [];
  let extraAt = offset + head.length;
  entries.forEach((e, i) => {
    const at = 2 + i * 12;
    w16(e.tag, at);
    w16(e.type, at + 2);
    w32(e.count, at + 4);
    if (e.data.length <= 4) e.data.copy(head, at + 8);
    else {
      w32(extraAt, at + 8);
      const padded = e.data.length % 2 ? Buffer.concat([e.data, Buffer.alloc(1)]) : e.data;
      extra.push(padded);
      extraAt += padded.length;
    }
  });
  w32(0, 2 + entries.length * 12);
  return Buffer.concat([head, ...extra]);
}

/**
 * A TIFF-structured EXIF block: IFD0 with Make, Orientation and a pointer to a GPS IFD holding a
 * latitude, longitude and a map datum string.
 */
export function exifTiff(options: { orientation?: number; gps?: boolean; little?: boolean } = {}): Buffer {
  const little = options.little ?? true;
  const header = Buffer.from(little ? [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0] : [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]);
  const ifd0Entries: Entry[] = [ascii(0x010f, SECRETS.make)];
  if (options.orientation !== undefined) ifd0Entries.push(short(0x0112, options.orientation, little));
  const gps = options.gps ?? true;
  // The GPS pointer's value is known only after IFD0 is laid out: lay out twice.
  if (gps) ifd0Entries.push(long(0x8825, 0, little));
  let ifd0 = ifd(ifd0Entries, 8, little);
  if (!gps) return Buffer.concat([header, ifd0]);
  const gpsAt = 8 + ifd0.length;
  ifd0Entries[ifd0Entries.length - 1] = long(0x8825, gpsAt, little);
  ifd0 = ifd(ifd0Entries, 8, little);
  const gpsIfd = ifd(
    [
      ascii(0x0001, 'S'),
      rationals(0x0002, SECRETS.latitude, little),
      ascii(0x0003, 'E'),
      rationals(0x0004, SECRETS.longitude, little),
      ascii(0x0012, SECRETS.datum),
    ],
    gpsAt,
    little,
  );
  return Buffer.concat([header, ifd0, gpsIfd]);
}

/** The latitude's seconds rational as stored (little-endian), for searching the output. */
export function latitudeBytes(): Buffer {
  const [n, d] = SECRETS.latitude[2];
  const out = Buffer.alloc(8);
  out.writeUInt32LE(n);
  out.writeUInt32LE(d, 4);
  return out;
}

export function xmpPacket(): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="${SECRETS.xmp}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

// ---------------------------------------------------------------------------------------------
// JPEG

export function jpegSegment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

export const jpegExif = (tiff: Buffer) => jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]));
export const jpegXmp = () => jpegSegment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${xmpPacket()}`, 'utf8'));
export const jpegComment = () => jpegSegment(0xfe, Buffer.from(SECRETS.comment, 'latin1'));
/** Photoshop image resources holding one IPTC record (2:80, by-line) with a secret. */
export const jpegIptc = () => {
  const record = Buffer.concat([Buffer.from([0x1c, 0x02, 0x50, 0x00, SECRETS.iptc.length]), Buffer.from(SECRETS.iptc, 'latin1')]);
  const resource = Buffer.concat([Buffer.from('8BIM\x04\x04\x00\x00', 'latin1'), Buffer.alloc(4), record]);
  resource.writeUInt32BE(record.length, 8);
  return jpegSegment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\x00', 'latin1'), resource]));
};

/** Inserts segments right after SOI and the JFIF APP0 (if the file starts with one). */
export function spliceJpeg(jpeg: Buffer, segments: Buffer[], trailer?: Buffer): Buffer {
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + jpeg.readUInt16BE(4);
  return Buffer.concat([jpeg.subarray(0, at), ...segments, jpeg.subarray(at), ...(trailer ? [trailer] : [])]);
}

/** The marker bytes of every segment before the first SOS, in order: the structure of a JPEG head. */
export function jpegMarkers(jpeg: Uint8Array): number[] {
  const b = Buffer.from(jpeg);
  const markers: number[] = [];
  for (let at = 2; at < b.length;) {
    const marker = b[at + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + b.readUInt16BE(at + 2);
  }
  return markers;
}

// ---------------------------------------------------------------------------------------------
// PNG

export function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function pngChunkTypes(png: Uint8Array): string[] {
  const b = Buffer.from(png);
  const types: string[] = [];
  for (let at = 8; at + 8 <= b.length; at += 12 + b.readUInt32BE(at)) types.push(b.toString('latin1', at + 4, at + 8));
  return types;
}

/** Inserts chunks after IHDR (`early`) and before IEND (`late`). */
export function splicePng(png: Buffer, early: Buffer[], late: Buffer[] = [], trailer?: Buffer): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  const iend = png.length - 12;
  return Buffer.concat([
    png.subarray(0, afterIhdr),
    ...early,
    png.subarray(afterIhdr, iend),
    ...late,
    png.subarray(iend),
    ...(trailer ? [trailer] : []),
  ]);
}

// ---------------------------------------------------------------------------------------------
// WebP

export function riffChunk(id: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
}

export function riffChunkIds(webp: Uint8Array): string[] {
  const b = Buffer.from(webp);
  const ids: string[] = [];
  for (let at = 12; at + 8 <= b.length; at += 8 + b.readUInt32LE(at + 4) + (b.readUInt32LE(at + 4) % 2)) {
    ids.push(b.toString('latin1', at, at + 4));
  }
  return ids;
}

export function webpFile(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  const head = Buffer.from('RIFF\0\0\0\0', 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Turns a simple WebP (one VP8/VP8L chunk) into the extended format with the given extra chunks. */
export function extendWebp(
  simple: Buffer,
  size: { width: number; height: number },
  extra: { before?: Buffer[]; after?: Buffer[]; flags: number },
): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = extra.flags;
  vp8x.writeUIntLE(size.width - 1, 4, 3);
  vp8x.writeUIntLE(size.height - 1, 7, 3);
  return webpFile([riffChunk('VP8X', vp8x), ...(extra.before ?? []), simple.subarray(12), ...(extra.after ?? [])]);
}

/** True when `needle` occurs in `haystack`. */
export function contains(haystack: Uint8Array, needle: string | Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle));
}
