/**
 * Minimal ISO BMFF boxes built by hand, for shapes ffmpeg does not write on request: version 1
 * (64-bit) headers, avc3 entries, hostile sizes. Only the fields the inspector reads carry meaning.
 */

export function box(type: string, body: Uint8Array = new Uint8Array()): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, body: Buffer): Buffer {
  return box(type, Buffer.concat([Buffer.from([version, 0, 0, 0]), body]));
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const IDENTITY = Buffer.concat([0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32));

export const FTYP = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1'));

export interface Synthetic {
  /** 0 or 1: 32- or 64-bit times in mvhd, tkhd and mdhd. */
  version: 0 | 1;
  movie: { timescale: number; duration: number };
  media: { timescale: number; duration: number };
  entry?: string;
  size?: { width: number; height: number };
}

/** ftyp, moov (one video track), mdat: the smallest file the inspector accepts. */
export function syntheticMp4(s: Synthetic): Buffer {
  const time = s.version === 1 ? u64 : u32;
  const { width, height } = s.size ?? { width: 640, height: 360 };
  const mvhd = fullBox(
    'mvhd',
    s.version,
    Buffer.concat([
      time(0),
      time(0),
      u32(s.movie.timescale),
      time(s.movie.duration),
      u32(0x10000),
      u16(0x100),
      Buffer.alloc(10),
      IDENTITY,
      Buffer.alloc(24),
      u32(2),
    ]),
  );
  const tkhd = fullBox(
    'tkhd',
    s.version,
    Buffer.concat([
      time(0),
      time(0),
      u32(1),
      u32(0),
      time(0),
      Buffer.alloc(8),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      IDENTITY,
      u32(width << 16),
      u32(height << 16),
    ]),
  );
  const mdhd = fullBox(
    'mdhd',
    s.version,
    Buffer.concat([time(0), time(0), u32(s.media.timescale), time(s.media.duration), u16(0x55c4), u16(0)]),
  );
  const hdlr = fullBox('hdlr', 0, Buffer.concat([u32(0), Buffer.from('vide', 'latin1'), Buffer.alloc(12), Buffer.from('\0')]));
  const avcC = box('avcC', Buffer.from([1, 100, 0, 30, 0xff, 0xe0, 0]));
  const visual = Buffer.concat([
    Buffer.alloc(6),
    u16(1),
    Buffer.alloc(16),
    u16(width),
    u16(height),
    u32(0x480000),
    u32(0x480000),
    u32(0),
    u16(1),
    Buffer.alloc(32),
    u16(0x18),
    u16(0xffff),
  ]);
  const entry = box(s.entry ?? 'avc1', Buffer.concat([visual, avcC]));
  const stsd = fullBox('stsd', 0, Buffer.concat([u32(1), entry]));
  const trak = box('trak', Buffer.concat([tkhd, box('mdia', Buffer.concat([mdhd, hdlr, box('minf', box('stbl', stsd))]))]));
  return Buffer.concat([FTYP, box('moov', Buffer.concat([mvhd, trak])), box('mdat', Buffer.alloc(32))]);
}
