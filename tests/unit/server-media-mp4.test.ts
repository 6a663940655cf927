// @vitest-environment node
// Studio videos: MP4s made by ffmpeg at test time, inspected over a file reader that counts what it
// reads (the media data must never be read), plus hand-built boxes for hostile shapes.
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesReader, DEFAULT_MP4_MAX_BYTES, inspectMp4, sniffMp4, type Mp4Inspection, type ReadAt } from '../../server/studio/media/mp4';
import { ffmpeg, ffprobe, fileReader, limited, tempDir } from './media/ffmpeg';
import { box, FTYP, syntheticMp4 } from './media/mp4-boxes';

type Sample = 'plain' | 'faststart' | 'long' | 'silent' | 'fragmented' | 'mpeg4' | 'hevc' | 'mp3' | 'hi444' | 'mov' | 'm4a' | 'png';

const VIDEO_320 = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'];
const VIDEO_TINY = ['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5'];
const TONE = ['-f', 'lavfi', '-i', 'sine=frequency=440'];
const TONE_8K = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000'];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

const SAMPLES: Record<Sample, { ext: string; args: string[] }> = {
  plain: { ext: 'mp4', args: [...VIDEO_320, ...TONE, '-t', '3', ...H264, '-c:a', 'aac'] },
  faststart: { ext: 'mp4', args: [...VIDEO_320, ...TONE, '-t', '3', ...H264, '-c:a', 'aac', '-movflags', '+faststart'] },
  long: { ext: 'mp4', args: [...VIDEO_TINY, ...TONE_8K, '-t', '150', ...H264, '-c:a', 'aac', '-b:a', '16k'] },
  silent: { ext: 'mp4', args: [...VIDEO_TINY, '-t', '3', ...H264, '-metadata', 'location=-06.1759+106.8275/'] },
  fragmented: { ext: 'mp4', args: [...VIDEO_TINY, ...TONE_8K, '-t', '3', ...H264, '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov'] },
  mpeg4: { ext: 'mp4', args: [...VIDEO_TINY, '-t', '1', '-c:v', 'mpeg4'] },
  hevc: {
    ext: 'mp4',
    args: [...VIDEO_TINY, '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1'],
  },
  mp3: { ext: 'mp4', args: [...VIDEO_TINY, '-f', 'lavfi', '-i', 'sine=sample_rate=22050', '-t', '1', ...H264, '-c:a', 'libmp3lame'] },
  hi444: { ext: 'mp4', args: [...VIDEO_TINY, '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p'] },
  mov: { ext: 'mov', args: [...VIDEO_TINY, ...TONE_8K, '-t', '1', ...H264, '-c:a', 'aac', '-f', 'mov'] },
  m4a: { ext: 'm4a', args: [...TONE_8K, '-t', '1', '-c:a', 'aac'] },
  png: { ext: 'png', args: [...VIDEO_TINY, '-frames:v', '1'] },
};

let dir: Awaited<ReturnType<typeof tempDir>>;
const path = (sample: Sample) => dir.file(`${sample}.${SAMPLES[sample].ext}`);

async function inspectFile(file: string, opts?: { maxBytes?: number }) {
  const reader = await fileReader(file);
  try {
    const result = await inspectMp4(reader.readAt, reader.size, opts);
    return { result, bytesRead: reader.bytesRead(), size: reader.size };
  } finally {
    await reader.close();
  }
}

async function inspectSample(sample: Sample, opts?: { maxBytes?: number }): Promise<Mp4Inspection> {
  return (await inspectFile(path(sample), opts)).result;
}

function expectInfo(result: Mp4Inspection) {
  if (!result.ok) throw new Error(`expected an accepted MP4, got ${result.problem}: ${result.message}`);
  return result.info;
}

function expectProblem(result: Mp4Inspection, problem: string, message?: RegExp): void {
  expect(result.ok ? 'ok' : result.problem, result.ok ? 'accepted' : result.message).toBe(problem);
  if (!result.ok && message) expect(result.message).toMatch(message);
}

beforeAll(async () => {
  dir = await tempDir();
  await limited(
    2,
    (Object.keys(SAMPLES) as Sample[]).map((sample) => () => ffmpeg([...SAMPLES[sample].args, path(sample)])),
  );
});

afterAll(() => dir?.remove());

describe('inspectMp4: accepted videos', () => {
  it('reads a 3 s H.264/AAC MP4: duration, brands, codecs, size, sound, layout', async () => {
    const info = expectInfo(await inspectSample('plain'));
    expect(info.durationSeconds).toBeGreaterThan(2.9);
    expect(info.durationSeconds).toBeLessThan(3.1);
    expect(info.majorBrand).toBe('isom');
    expect(info.compatibleBrands).toContain('isom');
    expect(info.video).toEqual({ codec: 'avc1', width: 320, height: 240, rotation: 0 });
    expect(info.audio).toEqual({ codec: 'mp4a', sampleRate: 44100, channels: 1 });
    expect(info.faststart).toBe(false);
    expect(info.location).toBe(false);
  });

  it('tells a faststart file (index first) from one with its index at the end', async () => {
    expect(expectInfo(await inspectSample('faststart')).faststart).toBe(true);
    expect(expectInfo(await inspectSample('plain')).faststart).toBe(false);
  });

  it('reads 150 s from a long file without reading its media data', async () => {
    const { result, bytesRead, size } = await inspectFile(path('long'));
    const info = expectInfo(result);
    expect(Math.abs(info.durationSeconds - 150)).toBeLessThanOrEqual(0.1);
    expect(info.audio).toEqual({ codec: 'mp4a', sampleRate: 8000, channels: 1 });
    // Box headers, ftyp and moov only: a small fraction of a file that is mostly mdat.
    expect(bytesRead).toBeLessThan(size / 10);
  });

  it('accepts a video without sound, and reports a recording location it carries', async () => {
    const info = expectInfo(await inspectSample('silent'));
    expect(info.audio).toBeUndefined();
    expect(info.video).toMatchObject({ codec: 'avc1', width: 64, height: 64 });
    expect(Math.abs(info.durationSeconds - 3)).toBeLessThanOrEqual(0.1);
    expect(info.location).toBe(true);
  });

  it('sums the fragments of a fragmented MP4 whose moov states no duration', async () => {
    const info = expectInfo(await inspectSample('fragmented'));
    const stated = Number((await ffprobe(path('fragmented'))).format?.duration);
    expect(Math.abs(info.durationSeconds - 3)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(info.durationSeconds - stated)).toBeLessThanOrEqual(0.01);
  });

  it('falls back to the longest track when mvhd states no duration', async () => {
    const bytes = await readFile(path('plain'));
    const mvhd = bytes.indexOf('mvhd');
    expect(bytes[mvhd + 4]).toBe(0); // version 0: duration 16 bytes into the payload
    bytes.writeUInt32BE(0, mvhd + 4 + 16);
    const info = expectInfo(await inspectMp4(bytesReader(bytes), bytes.length));
    expect(info.durationSeconds).toBeGreaterThan(2.9);
    expect(info.durationSeconds).toBeLessThan(3.1);
  });

  it('reads version 1 (64-bit) headers, and accepts avc3', async () => {
    const ninetyMinutes = syntheticMp4({
      version: 1,
      movie: { timescale: 1000, duration: 5_400_000 },
      media: { timescale: 90000, duration: 1 },
      entry: 'avc3',
    });
    const info = expectInfo(await inspectMp4(bytesReader(ninetyMinutes), ninetyMinutes.length));
    expect(info.durationSeconds).toBe(5400);
    expect(info.video).toEqual({ codec: 'avc3', width: 640, height: 360, rotation: 0 });
    // With mvhd at 0, the 64-bit track duration decides: 2^32 + 90000 ticks at 90 kHz.
    const wide = syntheticMp4({
      version: 1,
      movie: { timescale: 1000, duration: 0 },
      media: { timescale: 90000, duration: 2 ** 32 + 90000 },
    });
    expect(expectInfo(await inspectMp4(bytesReader(wide), wide.length)).durationSeconds).toBeCloseTo((2 ** 32 + 90000) / 90000, 6);
    // And the same file in version 0 reads the same way as far as 32 bits allow.
    const narrow = syntheticMp4({ version: 0, movie: { timescale: 600, duration: 1800 }, media: { timescale: 600, duration: 1800 } });
    expect(expectInfo(await inspectMp4(bytesReader(narrow), narrow.length)).durationSeconds).toBe(3);
  });

  it('reports the turn a portrait phone video asks for, as ffprobe reads it', async () => {
    const bytes = await readFile(path('plain'));
    const tkhd = bytes.indexOf('tkhd'); // the first track is the video
    expect(bytes[tkhd + 4]).toBe(0); // version 0: the matrix is 40 bytes into the payload
    const matrix = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000];
    matrix.forEach((value, i) => bytes.writeInt32BE(value, tkhd + 4 + 40 + i * 4));
    const turned = dir.file('turned.mp4');
    await writeFile(turned, bytes);
    const probe = await ffprobe(turned);
    expect(probe.streams[0]?.side_data_list?.[0]?.rotation).toBe(-90); // ffmpeg counts anticlockwise
    expect(expectInfo(await inspectSample('plain')).video?.rotation).toBe(0);
    expect(expectInfo((await inspectFile(turned)).result).video).toEqual({ codec: 'avc1', width: 320, height: 240, rotation: 90 });
  });

  it('works over an in-memory reader, and over one that returns a few bytes at a time', async () => {
    const bytes = await readFile(path('faststart'));
    const expected = expectInfo(await inspectSample('faststart'));
    expect(expectInfo(await inspectMp4(bytesReader(bytes), bytes.length))).toEqual(expected);
    const stingy: ReadAt = async (offset, length) => bytes.subarray(offset, offset + Math.min(length, 7));
    expect(expectInfo(await inspectMp4(stingy, bytes.length))).toEqual(expected);
  });
});

describe('inspectMp4: refused videos', () => {
  it('refuses MPEG-4 Part 2 and HEVC video as unsupported codecs, naming them', async () => {
    expectProblem(await inspectSample('mpeg4'), 'unsupported_codec', /MPEG-4 Part 2 \(“mp4v”\)/);
    expectProblem(await inspectSample('hevc'), 'unsupported_codec', /H\.265\/HEVC \(“hvc1”\)/);
  });

  it('refuses H.264 in a profile browsers cannot play', async () => {
    expectProblem(await inspectSample('hi444'), 'unsupported_codec', /High 4:4:4/);
  });

  it('refuses sound that is not AAC, even inside an mp4a track', async () => {
    expectProblem(await inspectSample('mp3'), 'unsupported_codec', /MP3/);
  });

  it('refuses a QuickTime .mov as not an MP4, saying what to do', async () => {
    expectProblem(await inspectSample('mov'), 'not_mp4', /QuickTime.*export or share it as MP4/);
  });

  it('refuses an audio-only file as having no video', async () => {
    expectProblem(await inspectSample('m4a'), 'no_video', /no video track, only sound/);
  });

  it('refuses a PNG renamed .mp4, random bytes and an empty file as not MP4s', async () => {
    expectProblem(await inspectSample('png'), 'not_mp4', /PNG picture/);
    const random = randomBytes(4096);
    random.write('junk', 4, 'latin1'); // never an ftyp, whatever the rest
    expectProblem(await inspectMp4(bytesReader(random), random.length), 'not_mp4', /instead of an ftyp box/);
    expectProblem(await inspectMp4(bytesReader(new Uint8Array()), 0), 'not_mp4', /empty/);
  });

  it('refuses truncated copies as corrupt, whether the index is at the start or the end', async () => {
    for (const sample of ['plain', 'faststart'] as const) {
      const bytes = await readFile(path(sample));
      for (const keep of [0.5, 0.99]) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * keep));
        expectProblem(await inspectMp4(bytesReader(cut), cut.length), 'corrupt', /cut short|no index/);
      }
    }
  });

  it('refuses a file over maxBytes before reading a byte, with a 100 MiB default', async () => {
    const untouchable: ReadAt = () => Promise.reject(new Error('must not read'));
    expectProblem(await inspectMp4(untouchable, DEFAULT_MP4_MAX_BYTES + 1), 'too_large', /limit is 100 MB/);
    expect(DEFAULT_MP4_MAX_BYTES).toBe(100 * 1024 * 1024);
    const { size } = await stat(path('plain'));
    expectProblem(await inspectSample('plain', { maxBytes: size - 1 }), 'too_large');
    expect((await inspectSample('plain', { maxBytes: size })).ok).toBe(true);
  });
});

describe('inspectMp4: hostile and damaged structure', () => {
  it('refuses a box whose 64-bit size runs past the end of the file', async () => {
    const mdat = Buffer.alloc(16);
    mdat.writeUInt32BE(1);
    mdat.write('mdat', 4, 'latin1');
    mdat.writeUInt32BE(0x10, 8); // largesize 2^36: far past the end
    const file = Buffer.concat([FTYP, mdat, Buffer.alloc(64)]);
    expectProblem(await inspectMp4(bytesReader(file), file.length), 'corrupt', /cut short.*mdat/);
  });

  it('refuses a box smaller than its own header, and a file with no index', async () => {
    const tiny = Buffer.concat([FTYP, Buffer.from([0, 0, 0, 4]), Buffer.from('free', 'latin1')]);
    expectProblem(await inspectMp4(bytesReader(tiny), tiny.length), 'corrupt', /smaller than its own header/);
    const noMoov = Buffer.concat([FTYP, box('mdat', Buffer.alloc(100))]);
    expectProblem(await inspectMp4(bytesReader(noMoov), noMoov.length), 'corrupt', /no index \(moov/);
  });

  it('refuses a video track with no picture size, and one with a movie header of timescale 0', async () => {
    const sizeless = syntheticMp4({
      version: 0,
      movie: { timescale: 600, duration: 600 },
      media: { timescale: 600, duration: 600 },
      size: { width: 0, height: 0 },
    });
    expectProblem(await inspectMp4(bytesReader(sizeless), sizeless.length), 'corrupt', /no picture size/);
    const timeless = syntheticMp4({ version: 0, movie: { timescale: 0, duration: 600 }, media: { timescale: 600, duration: 600 } });
    expectProblem(await inspectMp4(bytesReader(timeless), timeless.length), 'corrupt', /timescale/);
  });

  it('refuses a box inside moov that overruns its parent', async () => {
    const mvhd = Buffer.alloc(108);
    mvhd.writeUInt32BE(1000, 12);
    mvhd.writeUInt32BE(3000, 16);
    const overrun = Buffer.from(box('trak', Buffer.alloc(16)));
    overrun.writeUInt32BE(9999, 0);
    const file = Buffer.concat([FTYP, box('moov', Buffer.concat([box('mvhd', mvhd), overrun])), box('mdat')]);
    expectProblem(await inspectMp4(bytesReader(file), file.length), 'corrupt', /runs past the end of its “moov” box/);
  });

  it('bounds the work: a moov stuffed with empty boxes, or a flood of top-level boxes, is refused', async () => {
    const stuffed = Buffer.concat([FTYP, box('moov', Buffer.concat(Array.from({ length: 210_000 }, () => box('free')))), box('mdat')]);
    expectProblem(await inspectMp4(bytesReader(stuffed), stuffed.length), 'corrupt', /more than 200,000 boxes/);
    const flood = Buffer.concat([FTYP, ...Array.from({ length: 50_001 }, () => box('free'))]);
    expectProblem(await inspectMp4(bytesReader(flood), flood.length), 'corrupt', /more than 50,000 top-level boxes/);
  });
});

describe('sniffMp4', () => {
  it('accepts an ftyp with an ISO/MP4 brand, from the first bytes alone', async () => {
    expect(sniffMp4((await readFile(path('plain'))).subarray(0, 64))).toBe(true);
    expect(sniffMp4(FTYP)).toBe(true);
    expect(sniffMp4(box('ftyp', Buffer.from('M4V \0\0\0\0M4V mp42isom', 'latin1')))).toBe(true);
  });

  it('refuses QuickTime, HEIF pictures, unknown brands, other files and short input', async () => {
    expect(sniffMp4((await readFile(path('mov'))).subarray(0, 64))).toBe(false);
    expect(sniffMp4(box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1')))).toBe(false);
    expect(sniffMp4(box('ftyp', Buffer.from('abcd\0\0\0\0abcdwxyz', 'latin1')))).toBe(false);
    expect(sniffMp4((await readFile(path('png'))).subarray(0, 64))).toBe(false);
    expect(sniffMp4(FTYP.subarray(0, 12))).toBe(false);
  });
});
