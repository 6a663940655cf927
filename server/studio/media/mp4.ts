/**
 * Inspects an uploaded MP4 from its bytes, over a random-access reader: a 100 MB upload is never
 * held in memory. Only box headers along the top level are read, plus the `moov` box (the index,
 * usually well under a megabyte) and any fragment headers; the media data (`mdat`) is never read.
 */
import {
  describeSize,
  fourcc,
  hexHead,
  i32be,
  identifyFormat,
  latin1,
  printableCode,
  Truncated,
  u16be,
  u24be,
  u32be,
  u64be,
  u8,
} from './bytes';

/** Reads `length` bytes at `offset`; may return fewer at the end of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface Mp4Info {
  /** From mvhd, or the longest track when mvhd says 0, or the fragments of a fragmented MP4. */
  durationSeconds: number;
  majorBrand: string;
  compatibleBrands: string[];
  video?: {
    /** Sample entry fourcc: `avc1` or `avc3`. */
    codec: string;
    /** As stored (from the sample entry); swap them when `rotation` is 90 or 270. */
    width: number;
    height: number;
    /** Clockwise quarter turns the player applies (the track matrix), as phones record portrait video. */
    rotation: 0 | 90 | 180 | 270;
  };
  audio?: { codec: string; sampleRate?: number; channels?: number };
  /** moov before mdat: the video can start playing while it downloads. */
  faststart: boolean;
  /** The file carries a recording location (udta ©xyz or a QuickTime location key). */
  location: boolean;
  /**
   * Where the movie's metadata boxes (udta, meta) that hold the location lie in the file: turning
   * each into a `free` box of zeros of the same size removes it and keeps the file playable.
   */
  locationBoxes: { start: number; end: number }[];
}

export type Mp4Problem = 'not_mp4' | 'corrupt' | 'no_video' | 'unsupported_codec' | 'too_large';

export type Mp4Inspection = { ok: true; info: Mp4Info } | { ok: false; problem: Mp4Problem; message: string };

/** 100 MiB: what a file manager shows as "100 MB". */
export const DEFAULT_MP4_MAX_BYTES = 100 * 1024 * 1024;

/** No real index comes near this (a two-hour film's is a few MB); past it the file is hostile or broken. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** Top-level boxes: a fragmented file has two per fragment, a frame-per-fragment 100 MB file a few thousand. */
const MAX_TOP_LEVEL_BOXES = 50_000;
/** Boxes visited inside moov and the fragment headers together. */
const MAX_INNER_BOXES = 200_000;

/**
 * Brands of the ISO base media file format that promise an MP4-style file. `qt  ` (QuickTime) and
 * the HEIF/AVIF picture brands are deliberately absent.
 */
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'dash',
  'cmfc',
  'cmf2',
  'M4V ',
  'M4VH',
  'M4VP',
  'MSNV',
  'XAVC',
  'f4v ',
  'mmp4',
  'kddi',
  '3gp4',
  '3gp5',
  '3gp6',
  '3gp7',
  '3gp8',
  '3gp9',
  '3g2a',
  '3g2b',
  '3g2c',
]);
const PICTURE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

const H264_ENTRIES = new Set(['avc1', 'avc3']);
/** The profiles every browser decodes: 8-bit 4:2:0 Baseline, Main, Extended and High. */
const H264_WEB_PROFILES = new Set([66, 77, 88, 100]);
const H264_PROFILE_NAMES: Record<number, string> = {
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
  44: 'CAVLC 4:4:4 Intra',
  118: 'Multiview High',
  128: 'Stereo High',
};

/** MPEG-4 object types that are AAC (MPEG-4 Audio, MPEG-2 AAC Main/LC/SSR). */
const AAC_OBJECT_TYPES = new Set([0x40, 0x66, 0x67, 0x68]);

const CODEC_NAMES: Record<string, string> = {
  hvc1: 'H.265/HEVC',
  hev1: 'H.265/HEVC',
  dvh1: 'Dolby Vision (HEVC)',
  dvhe: 'Dolby Vision (HEVC)',
  dvav: 'Dolby Vision (H.264)',
  dva1: 'Dolby Vision (H.264)',
  av01: 'AV1',
  vp09: 'VP9',
  vp08: 'VP8',
  mp4v: 'MPEG-4 Part 2',
  s263: 'H.263',
  mjpa: 'Motion JPEG',
  jpeg: 'Motion JPEG',
  apch: 'Apple ProRes',
  apcn: 'Apple ProRes',
  encv: 'encrypted video',
  enca: 'encrypted audio',
  Opus: 'Opus',
  'ac-3': 'Dolby Digital (AC-3)',
  'ec-3': 'Dolby Digital Plus (E-AC-3)',
  'ac-4': 'Dolby AC-4',
  fLaC: 'FLAC',
  alac: 'Apple Lossless',
  '.mp3': 'MP3',
  samr: 'AMR',
  sawb: 'AMR-WB',
  sowt: 'uncompressed PCM',
  twos: 'uncompressed PCM',
  lpcm: 'uncompressed PCM',
  ipcm: 'uncompressed PCM',
};

export function sniffMp4(head: Uint8Array): boolean {
  return ftypVerdict(head).ok;
}

/** A reader over bytes already in memory (small uploads, tests). */
export function bytesReader(bytes: Uint8Array): ReadAt {
  return async (offset, length) => bytes.subarray(offset, offset + length);
}

export async function inspectMp4(readAt: ReadAt, size: number, opts: { maxBytes?: number } = {}): Promise<Mp4Inspection> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`inspectMp4: bad file size ${size}`);
  const maxBytes = opts.maxBytes ?? DEFAULT_MP4_MAX_BYTES;
  if (size > maxBytes) {
    return { ok: false, problem: 'too_large', message: `The video is ${describeSize(size)}; the limit is ${describeSize(maxBytes)}.` };
  }
  if (size === 0) return { ok: false, problem: 'not_mp4', message: 'The file is empty.' };
  try {
    return { ok: true, info: await inspect(readAt, size) };
  } catch (error) {
    if (error instanceof Mp4Fault) return { ok: false, problem: error.problem, message: error.message };
    if (error instanceof Truncated) {
      return { ok: false, problem: 'corrupt', message: 'The MP4 is damaged: a box is too short for the fields it must hold.' };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

class Mp4Fault extends Error {
  constructor(
    readonly problem: Mp4Problem,
    message: string,
  ) {
    super(message);
  }
}

function fail(problem: Mp4Problem, message: string): never {
  throw new Mp4Fault(problem, message);
}

interface Brands {
  majorBrand: string;
  compatibleBrands: string[];
}

type FtypVerdict = ({ ok: true } & Brands) | { ok: false; message: string };

/** Judges the first box from the bytes given: 16 suffice; brands past the end of `head` go unseen. */
function ftypVerdict(head: Uint8Array): FtypVerdict {
  const notMp4 = (detail: string): FtypVerdict => ({ ok: false, message: `The file is not an MP4 video: ${detail}.` });
  if (head.length < 8) return notMp4('it is too short to hold one');
  const type = fourcc(head, 4);
  if (type !== 'ftyp') {
    if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(type)) {
      return notMp4('it is an old-style QuickTime movie (.mov) without a file-type box; export or share it as MP4 (H.264/AAC)');
    }
    const known = identifyFormat(head);
    return notMp4(known ? `its bytes are ${known.name}` : `it starts with the bytes ${hexHead(head)} instead of an ftyp box`);
  }
  const boxSize = u32be(head, 0);
  if (boxSize < 16 || boxSize % 4 !== 0 || head.length < 16) return notMp4('its file-type (ftyp) box is malformed');
  const majorBrand = fourcc(head, 8);
  const compatibleBrands: string[] = [];
  // Judged on the brands that `head` holds; inspectMp4 always reads the whole box first.
  for (let at = 16; at + 4 <= Math.min(boxSize, head.length); at += 4) compatibleBrands.push(fourcc(head, at));
  if (majorBrand === 'qt  ') {
    return notMp4('it is a QuickTime movie (.mov, brand “qt  ”); export or share it as MP4 (H.264/AAC)');
  }
  if (PICTURE_BRANDS.has(majorBrand)) return notMp4(`it is an HEIF/AVIF picture (brand “${printableCode(majorBrand)}”)`);
  if (!MP4_BRANDS.has(majorBrand) && !compatibleBrands.some((brand) => MP4_BRANDS.has(brand))) {
    const listed = [majorBrand, ...compatibleBrands].map((b) => `“${printableCode(b)}”`).join(', ');
    return notMp4(`its brands (${listed}) are not MP4 brands`);
  }
  return { ok: true, majorBrand, compatibleBrands };
}

interface BoxHeader {
  type: string;
  start: number;
  /** Where the payload starts. */
  body: number;
  end: number;
}

/** Parses a box header at `at` within `[.., limit)`; `size == 0` means "to the limit". */
function boxHeader(bytes: Uint8Array, at: number, base: number, limit: number, parent: string): BoxHeader {
  const size32 = u32be(bytes, at - base);
  const type = fourcc(bytes, at - base + 4);
  let body = at + 8;
  let end: number;
  if (size32 === 1) {
    end = at + u64be(bytes, at - base + 8);
    body += 8;
  } else {
    end = size32 === 0 ? limit : at + size32;
  }
  if (type === 'uuid') body += 16;
  if (end < body) fail('corrupt', `The MP4 is damaged: box “${printableCode(type)}” at byte ${at} is smaller than its own header.`);
  if (end > limit) {
    fail(
      'corrupt',
      parent === 'file'
        ? `The MP4 is cut short: box “${printableCode(type)}” at byte ${at} needs ${describeSize(end - at)} but the file ends at byte ${limit}.`
        : `The MP4 is damaged: box “${printableCode(type)}” at byte ${at} runs past the end of its “${parent}” box.`,
    );
  }
  return { type, start: at, body, end };
}

async function readExactly(readAt: ReadAt, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const chunk = await readAt(offset + filled, length - filled);
    if (chunk.length === 0)
      fail(
        'corrupt',
        `The MP4 is cut short: it ends at byte ${offset + filled}, inside a box that needs ${length} bytes from byte ${offset}.`,
      );
    out.set(chunk.subarray(0, length - filled), filled);
    filled += Math.min(chunk.length, length - filled);
  }
  return out;
}

interface Layout {
  brands: Brands;
  moov: BoxHeader;
  firstMdat: number;
  moofs: BoxHeader[];
}

/** Walks the top level by headers alone; media data is skipped, never read. */
async function walkTopLevel(readAt: ReadAt, size: number): Promise<Layout> {
  let head = await readExactly(readAt, 0, Math.min(size, 64));
  if (head.length >= 8 && fourcc(head, 4) === 'ftyp') {
    // Judge the whole brand list, which may be longer than the first read (within reason).
    const ftypSize = u32be(head, 0);
    if (ftypSize < 16 || ftypSize > 4096 || ftypSize > size) {
      fail('not_mp4', 'The file is not an MP4 video: its file-type (ftyp) box is malformed.');
    }
    head = await readExactly(readAt, 0, ftypSize);
  }
  const verdict = ftypVerdict(head);
  if (!verdict.ok) fail('not_mp4', verdict.message);

  let moov: BoxHeader | undefined;
  let firstMdat: number | undefined;
  const moofs: BoxHeader[] = [];
  let count = 0;
  for (let at = 0; at < size;) {
    if (++count > MAX_TOP_LEVEL_BOXES)
      fail('corrupt', `The MP4 has more than ${MAX_TOP_LEVEL_BOXES.toLocaleString('en-US')} top-level boxes.`);
    if (size - at < 8) fail('corrupt', `The MP4 is damaged: ${size - at} stray bytes follow its last box.`);
    const header = await readExactly(readAt, at, Math.min(size - at, 32));
    const box = boxHeader(header, at, at, size, 'file');
    if (box.type === 'moov') {
      if (moov) fail('corrupt', 'The MP4 is damaged: it has two movie (moov) boxes.');
      moov = box;
    } else if (box.type === 'mdat') {
      firstMdat ??= box.start;
    } else if (box.type === 'moof') {
      moofs.push(box);
    }
    at = box.end;
  }
  if (!moov) {
    fail('corrupt', 'The MP4 has no index (moov box): the recording was probably interrupted before it was finished.');
  }
  if (firstMdat === undefined) fail('corrupt', 'The MP4 has no media data (mdat box).');
  return { brands: { majorBrand: verdict.majorBrand, compatibleBrands: verdict.compatibleBrands }, moov, firstMdat, moofs };
}

async function inspect(readAt: ReadAt, size: number): Promise<Mp4Info> {
  const layout = await walkTopLevel(readAt, size);
  const budget = new Budget();
  budget.spendBytes(layout.moov.end - layout.moov.start);
  const movie = readMovie(await readExactly(readAt, layout.moov.start, layout.moov.end - layout.moov.start), layout.moov, budget);

  if (movie.mvex) {
    for (const moof of layout.moofs) {
      budget.spendBytes(moof.end - moof.start);
      addFragment(await readExactly(readAt, moof.start, moof.end - moof.start), moof, movie, budget);
    }
  }

  const video = movie.tracks.filter((track) => track.handler === 'vide');
  const audio = movie.tracks.filter((track) => track.handler === 'soun');
  if (video.length === 0) {
    fail('no_video', audio.length > 0 ? 'The MP4 has no video track, only sound.' : 'The MP4 has no video track.');
  }
  const videoInfo = video.map(checkVideo)[0]!;
  const audioInfo = audio.map(checkAudio)[0];

  const durationSeconds = movieDuration(movie);
  if (!(durationSeconds > 0) || !Number.isFinite(durationSeconds)) {
    fail('corrupt', 'The MP4 does not state its duration.');
  }
  return {
    durationSeconds,
    ...layout.brands,
    video: videoInfo,
    ...(audioInfo ? { audio: audioInfo } : {}),
    faststart: layout.moov.start < layout.firstMdat,
    location: movie.location,
    locationBoxes: movie.locationBoxes,
  };
}

class Budget {
  private bytes = 0;
  private boxes = 0;
  spendBytes(count: number): void {
    this.bytes += count;
    if (this.bytes > MAX_INDEX_BYTES) {
      fail('corrupt', `The MP4's index is implausibly large (over ${describeSize(MAX_INDEX_BYTES)}).`);
    }
  }
  spendBox(): void {
    if (++this.boxes > MAX_INNER_BOXES)
      fail('corrupt', `The MP4's index holds more than ${MAX_INNER_BOXES.toLocaleString('en-US')} boxes.`);
  }
}

/** A view of one box read into memory, addressed by file offsets so messages name real positions. */
class BoxData {
  constructor(
    readonly bytes: Uint8Array,
    /** File offset of bytes[0]. */
    readonly base: number,
    readonly box: BoxHeader,
    private readonly budget: Budget,
  ) {}

  /** The same box with its children starting `skip` bytes into the payload (after fixed fields). */
  skipping(skip: number): BoxData {
    if (this.box.end - this.box.body < skip) {
      fail('corrupt', `The MP4 is damaged: its “${printableCode(this.box.type)}” box is too short.`);
    }
    return new BoxData(this.bytes, this.base, { ...this.box, body: this.box.body + skip }, this.budget);
  }

  children(): BoxData[] {
    const out: BoxData[] = [];
    for (let at = this.box.body; at < this.box.end;) {
      this.budget.spendBox();
      if (this.box.end - at < 8) {
        // QuickTime lets a user-data list end with a zero word; anything else there is damage.
        if (this.bytes.subarray(at - this.base, this.box.end - this.base).every((b) => b === 0)) break;
        fail('corrupt', `The MP4 is damaged: stray bytes at the end of its “${printableCode(this.box.type)}” box.`);
      }
      const child = boxHeader(this.bytes, at, this.base, this.box.end, this.box.type);
      out.push(new BoxData(this.bytes, this.base, child, this.budget));
      at = child.end;
    }
    return out;
  }

  child(type: string): BoxData | undefined {
    return this.children().find((c) => c.box.type === type);
  }

  /** A reader over the payload, relative to its first byte; reads past it throw `Truncated`. */
  payload(): Uint8Array {
    return this.bytes.subarray(this.box.body - this.base, this.box.end - this.base);
  }
}

interface Track {
  id: number;
  handler: string;
  timescale: number;
  /** In the track's timescale, the samples in moov only. */
  mediaDuration: number;
  /** In the movie's timescale. */
  headerDuration: number;
  rotation: 0 | 90 | 180 | 270;
  entry?: SampleEntry;
  /** Fragments: where the next one starts if it states no decode time, and the furthest end so far. */
  fragmentClock: number;
  fragmentEnd: number;
  defaultSampleDuration: number;
}

interface SampleEntry {
  fourcc: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
  /** H.264 profile_idc from avcC; AAC object type from esds. */
  profile?: number;
  objectType?: number;
  audioObjectType?: number;
  missingConfig?: boolean;
}

interface Movie {
  timescale: number;
  duration: number;
  tracks: Track[];
  mvex?: { fragmentDuration: number };
  location: boolean;
  locationBoxes: { start: number; end: number }[];
}

function readMovie(bytes: Uint8Array, box: BoxHeader, budget: Budget): Movie {
  const moov = new BoxData(bytes, box.start, box, budget);
  const movie: Movie = { timescale: 0, duration: 0, tracks: [], location: false, locationBoxes: [] };
  const trexDefaults = new Map<number, number>();
  for (const child of moov.children()) {
    const type = child.box.type;
    if (type === 'mvhd') Object.assign(movie, readMovieHeader(child.payload()));
    else if (type === 'trak') movie.tracks.push(readTrack(child));
    else if (type === 'mvex') movie.mvex = readMovieExtends(child, trexDefaults);
    else if ((type === 'udta' || type === 'meta') && hasLocation(child)) {
      movie.location = true;
      movie.locationBoxes.push({ start: child.box.start, end: child.box.end });
    }
  }
  if (movie.timescale === 0) fail('corrupt', 'The MP4 is damaged: its movie header (mvhd) is missing or has no timescale.');
  for (const track of movie.tracks) {
    track.defaultSampleDuration = trexDefaults.get(track.id) ?? 0;
    track.fragmentClock = track.mediaDuration;
  }
  return movie;
}

/** Version 1 boxes widen times to 64 bits; the fields are otherwise in the same order. */
function readTimes(p: Uint8Array, extra = 0): { version: number; timescale: number; duration: number; trackId: number; after: number } {
  const version = u8(p, 0);
  const wide = version === 1;
  const at = 4 + (wide ? 16 : 8);
  if (extra) {
    // tkhd: track_ID and a reserved word sit where mvhd/mdhd have the timescale.
    const trackId = u32be(p, at);
    const duration = wide ? u64be(p, at + 8) : u32be(p, at + 8);
    return { version, timescale: 0, duration: unknownAsZero(duration, wide), trackId, after: at + 8 + (wide ? 8 : 4) };
  }
  const timescale = u32be(p, at);
  const duration = wide ? u64be(p, at + 4) : u32be(p, at + 4);
  return { version, timescale, duration: unknownAsZero(duration, wide), trackId: 0, after: at + 4 + (wide ? 8 : 4) };
}

/** All ones means "unknown" (a live recording); treat it as "not stated". */
function unknownAsZero(duration: number, wide: boolean): number {
  return (wide ? duration === Infinity : duration === 0xffff_ffff) ? 0 : duration;
}

function readMovieHeader(p: Uint8Array): { timescale: number; duration: number } {
  const { timescale, duration } = readTimes(p);
  return { timescale, duration };
}

function readTrack(trak: BoxData): Track {
  const track: Track = {
    id: 0,
    handler: '',
    timescale: 0,
    mediaDuration: 0,
    headerDuration: 0,
    rotation: 0,
    fragmentClock: 0,
    fragmentEnd: 0,
    defaultSampleDuration: 0,
  };
  for (const child of trak.children()) {
    if (child.box.type === 'tkhd') {
      const p = child.payload();
      const times = readTimes(p, 1);
      track.id = times.trackId;
      track.headerDuration = times.duration;
      // After the duration: reserved(8) layer(2) alternate_group(2) volume(2) reserved(2), then the matrix.
      track.rotation = rotationOf(p, times.after + 16);
    } else if (child.box.type === 'mdia') {
      for (const part of child.children()) {
        if (part.box.type === 'mdhd') {
          const { timescale, duration } = readTimes(part.payload());
          track.timescale = timescale;
          track.mediaDuration = duration;
        } else if (part.box.type === 'hdlr') {
          track.handler = fourcc(part.payload(), 8);
        } else if (part.box.type === 'minf') {
          const stsd = part.child('stbl')?.child('stsd');
          if (stsd) track.entry = readFirstSampleEntry(stsd);
        }
      }
    }
  }
  return track;
}

/** The turn a player applies, from the 2×2 part of the track matrix; flips and skews count as none. */
function rotationOf(p: Uint8Array, at: number): 0 | 90 | 180 | 270 {
  const unit = 0x10000;
  const [a, b, c, d] = [i32be(p, at), i32be(p, at + 4), i32be(p, at + 12), i32be(p, at + 16)];
  if (a === 0 && b === unit && c === -unit && d === 0) return 90;
  if (a === -unit && b === 0 && c === 0 && d === -unit) return 180;
  if (a === 0 && b === -unit && c === unit && d === 0) return 270;
  return 0;
}

function readFirstSampleEntry(stsd: BoxData): SampleEntry | undefined {
  // stsd is a full box (version/flags) with an entry count before the entries, which are boxes.
  if (u32be(stsd.payload(), 4) === 0) return undefined;
  const first = stsd.skipping(8).children()[0];
  if (!first) return undefined;
  const entry: SampleEntry = { fourcc: first.box.type };
  const e = first.payload();
  if (H264_ENTRIES.has(entry.fourcc)) {
    // VisualSampleEntry: reserved(6) data_reference_index(2) pre_defined/reserved(16) width(2) height(2) …
    entry.width = u16be(e, 24);
    entry.height = u16be(e, 26);
    const avcC = first
      .skipping(78)
      .children()
      .find((c) => c.box.type === 'avcC');
    if (avcC) entry.profile = u8(avcC.payload(), 1);
    else entry.missingConfig = true;
  } else if (entry.fourcc === 'mp4a') {
    // AudioSampleEntry: reserved(6) data_reference_index(2) version(2) … channelcount(2) samplesize(2)
    // pre_defined(2) reserved(2) samplerate(16.16); QuickTime versions 1 and 2 append more fields.
    const version = u16be(e, 8);
    const extra = version === 1 ? 16 : version === 2 ? 36 : 0;
    const esds = first
      .skipping(28 + extra)
      .children()
      .find((c) => c.box.type === 'esds');
    const config = esds ? readEsds(esds.payload()) : {};
    if (!esds) entry.missingConfig = true;
    entry.objectType = config.objectType;
    entry.audioObjectType = config.audioObjectType;
    entry.channels = config.channels ?? (u16be(e, 16) || undefined);
    // The entry's 16.16 rate is the output rate (HE-AAC doubles the core rate the config states).
    entry.sampleRate = u32be(e, 24) >>> 16 || config.sampleRate;
  }
  return entry;
}

interface AudioConfig {
  objectType?: number;
  audioObjectType?: number;
  channels?: number;
  sampleRate?: number;
}

/** The MPEG-4 descriptors in esds: ES_Descriptor › DecoderConfigDescriptor › DecoderSpecificInfo. */
function readEsds(p: Uint8Array): AudioConfig {
  let at = 4; // version and flags
  const descriptor = () => {
    const tag = u8(p, at++);
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const b = u8(p, at++);
      length = (length << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag, length, body: at };
  };
  const es = descriptor();
  if (es.tag !== 0x03) return {};
  const flags = u8(p, at + 2);
  at += 3;
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + u8(p, at); // URL
  if (flags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptor();
  if (config.tag !== 0x04) return {};
  const objectType = u8(p, at);
  at = config.body + 13;
  if (at >= config.body + config.length) return { objectType };
  const specific = descriptor();
  if (specific.tag !== 0x05 || specific.length === 0) return { objectType };
  return { objectType, ...readAudioSpecificConfig(p.subarray(at, at + specific.length)) };
}

const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** channelConfiguration 1–7; 0 means "described in-band", which we leave unstated. */
const AAC_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];

/**
 * The start of an AAC AudioSpecificConfig: object type, sampling rate, channel configuration. The
 * real channel count lives here: MP4 writers put a template 2 in the sample entry.
 */
function readAudioSpecificConfig(asc: Uint8Array): Omit<AudioConfig, 'objectType'> {
  let bit = 0;
  const read = (count: number) => {
    let value = 0;
    for (let i = 0; i < count; i++, bit++) value = (value << 1) | ((u8(asc, bit >> 3) >> (7 - (bit & 7))) & 1);
    return value;
  };
  try {
    let audioObjectType = read(5);
    if (audioObjectType === 31) audioObjectType = 32 + read(6);
    const rateIndex = read(4);
    const sampleRate = rateIndex === 15 ? read(24) : AAC_SAMPLE_RATES[rateIndex];
    const channels = AAC_CHANNELS[read(4)] || undefined;
    return { audioObjectType, ...(sampleRate ? { sampleRate } : {}), ...(channels ? { channels } : {}) };
  } catch (error) {
    if (error instanceof Truncated) return {};
    throw error;
  }
}

/** Location boxes: QuickTime/Android `©xyz`, 3GPP `loci`. */
const LOCATION_BOXES = new Set(['\xa9xyz', 'loci']);

/** Looks for a recording location in moov's udta or meta (iPhones write a `…location.ISO6709` key). */
function hasLocation(box: BoxData): boolean {
  if (box.box.type === 'udta') {
    return box.children().some((c) => LOCATION_BOXES.has(c.box.type) || (c.box.type === 'meta' && hasLocation(c)));
  }
  // ISO makes meta a full box (version and flags first); QuickTime does not. A zero word can only
  // be the former, since a child box's size is never zero there.
  if (box.payload().length < 8) return false;
  const meta = u32be(box.payload(), 0) === 0 ? box.skipping(4) : box;
  const keys = meta.children().find((c) => c.box.type === 'keys');
  if (!keys) return false;
  const p = keys.payload();
  const count = u32be(p, 4);
  for (let i = 0, at = 8; i < count && at + 8 <= p.length; i++) {
    const size = u32be(p, at);
    if (size < 8) break;
    const name = latin1(p, at + 8, Math.min(at + size, p.length));
    if (/location/i.test(name)) return true;
    at += size;
  }
  return false;
}

function readMovieExtends(mvex: BoxData, trexDefaults: Map<number, number>): { fragmentDuration: number } {
  let fragmentDuration = 0;
  for (const child of mvex.children()) {
    const p = child.payload();
    if (child.box.type === 'mehd') {
      fragmentDuration = unknownAsZero(u8(p, 0) === 1 ? u64be(p, 4) : u32be(p, 4), u8(p, 0) === 1);
    } else if (child.box.type === 'trex') {
      // version/flags, track_ID, default_sample_description_index, default_sample_duration, …
      trexDefaults.set(u32be(p, 4), u32be(p, 12));
    }
  }
  return { fragmentDuration };
}

/** Adds one movie fragment's sample durations to its tracks (moof › traf › tfhd, tfdt, trun). */
function addFragment(bytes: Uint8Array, box: BoxHeader, movie: Movie, budget: Budget): void {
  const moof = new BoxData(bytes, box.start, box, budget);
  for (const traf of moof.children().filter((c) => c.box.type === 'traf')) {
    let track: Track | undefined;
    let defaultDuration = 0;
    let decodeTime: number | undefined;
    let total = 0;
    for (const child of traf.children()) {
      const p = child.payload();
      const flags = () => u24be(p, 1);
      if (child.box.type === 'tfhd') {
        track = movie.tracks.find((t) => t.id === u32be(p, 4));
        let at = 8;
        if (flags() & 0x01) at += 8; // base_data_offset
        if (flags() & 0x02) at += 4; // sample_description_index
        defaultDuration = flags() & 0x08 ? u32be(p, at) : (track?.defaultSampleDuration ?? 0);
      } else if (child.box.type === 'tfdt') {
        decodeTime = u8(p, 0) === 1 ? u64be(p, 4) : u32be(p, 4);
      } else if (child.box.type === 'trun') {
        total += runDuration(p, flags(), defaultDuration);
      }
    }
    if (!track) continue;
    const start = decodeTime ?? track.fragmentClock;
    track.fragmentClock = start + total;
    track.fragmentEnd = Math.max(track.fragmentEnd, track.fragmentClock);
  }
}

function runDuration(p: Uint8Array, flags: number, defaultDuration: number): number {
  const samples = u32be(p, 4);
  let at = 8;
  if (flags & 0x01) at += 4; // data_offset
  if (flags & 0x04) at += 4; // first_sample_flags
  if (!(flags & 0x100)) return samples * defaultDuration;
  const stride = 4 * [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length;
  if (at + samples * stride > p.length) fail('corrupt', 'The MP4 is damaged: a fragment lists more samples than it holds.');
  let total = 0;
  for (let i = 0; i < samples; i++, at += stride) total += u32be(p, at);
  return total;
}

function movieDuration(movie: Movie): number {
  const stated = movie.duration / movie.timescale;
  if (!movie.mvex && stated > 0) return stated;
  const tracks = Math.max(
    0,
    ...movie.tracks.map((t) =>
      Math.max(t.timescale ? Math.max(t.mediaDuration, t.fragmentEnd) / t.timescale : 0, t.headerDuration / movie.timescale),
    ),
  );
  const extended = movie.mvex ? movie.mvex.fragmentDuration / movie.timescale : 0;
  // A fragmented file's moov describes only what was known when it was written; the rest is in
  // the fragments (or summed up front in mehd).
  return Math.max(stated, tracks, extended);
}

function codecName(code: string): string {
  const name = CODEC_NAMES[code];
  return name ? `${name} (“${printableCode(code)}”)` : `“${printableCode(code)}”`;
}

function checkVideo(track: Track): NonNullable<Mp4Info['video']> {
  const entry = track.entry;
  if (!entry) fail('corrupt', 'The MP4 is damaged: its video track has no sample description.');
  if (!H264_ENTRIES.has(entry.fourcc)) {
    fail(
      'unsupported_codec',
      `The video is encoded as ${codecName(entry.fourcc)}; only H.264 (AVC) video is accepted. Export it as MP4 with H.264 video and AAC audio.`,
    );
  }
  if (entry.missingConfig) fail('corrupt', 'The MP4 is damaged: its H.264 track has no decoder configuration (avcC).');
  if (entry.profile !== undefined && !H264_WEB_PROFILES.has(entry.profile)) {
    const name = H264_PROFILE_NAMES[entry.profile] ?? `profile ${entry.profile}`;
    fail(
      'unsupported_codec',
      `The video is H.264 ${name}, which browsers cannot play; export it as H.264 High or Main profile, 8-bit 4:2:0.`,
    );
  }
  if (!entry.width || !entry.height) fail('corrupt', 'The MP4 is damaged: its video track states no picture size.');
  return { codec: entry.fourcc, width: entry.width, height: entry.height, rotation: track.rotation };
}

function checkAudio(track: Track): NonNullable<Mp4Info['audio']> {
  const entry = track.entry;
  if (!entry) fail('corrupt', 'The MP4 is damaged: its audio track has no sample description.');
  const refuse = (what: string) =>
    fail(
      'unsupported_codec',
      `The sound is encoded as ${what}; only AAC sound is accepted. Export it as MP4 with H.264 video and AAC audio.`,
    );
  if (entry.fourcc !== 'mp4a') refuse(codecName(entry.fourcc));
  if (entry.missingConfig) fail('corrupt', 'The MP4 is damaged: its audio track has no decoder configuration (esds).');
  if (entry.objectType !== undefined && !AAC_OBJECT_TYPES.has(entry.objectType)) {
    refuse(
      entry.objectType === 0x69 || entry.objectType === 0x6b
        ? 'MP3 (in an “mp4a” track)'
        : `MPEG-4 object type 0x${entry.objectType.toString(16)}`,
    );
  }
  if (entry.audioObjectType !== undefined && entry.audioObjectType >= 32 && entry.audioObjectType <= 34) {
    refuse('MPEG Layer 1/2/3 (in an “mp4a” track)');
  }
  return {
    codec: entry.fourcc,
    ...(entry.sampleRate ? { sampleRate: entry.sampleRate } : {}),
    ...(entry.channels ? { channels: entry.channels } : {}),
  };
}
