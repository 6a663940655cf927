// Videos for the composer tests: made by ffmpeg at test time (nothing binary in the repository),
// stored in the agency's own media store (so they are served as agencies serve them: byte
// ranges, CORS) and named by a feed of posts with one video each, ahead of the demo feed's posts.
import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { ffmpeg, tempDir } from '../../unit/media/ffmpeg';
import { mediaUrl } from '../../../server/studio/media-store';
import { buildDemoFeed, wib } from '../../../server/demo/feed';
import type { AgencyServer } from '../../../server/app';
import type { Item } from '../../../utils/protocol/feed';

export interface StoredVideo {
  url: string;
  sha256: string;
  bytes: number;
  seconds: number;
}

/** An H.264/AAC MP4 of `seconds`, small: a test pattern at 160×120, `fps` frames a second. */
export async function makeVideo(seconds: number, fps = 5): Promise<{ file: string; bytes: Buffer; remove(): Promise<void> }> {
  const dir = await tempDir();
  const file = dir.file(`clip-${seconds}.mp4`);
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=160x120:rate=${fps}:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '32k',
    '-movflags',
    '+faststart',
    file,
  ]);
  return { file, bytes: await readFile(file), remove: dir.remove };
}

/** Puts an MP4 file into the agency's media store, as a finished studio upload. */
export async function storeVideo(agency: AgencyServer, base: string, file: string): Promise<StoredVideo> {
  // finishVideo moves its file into the store: hand it a copy.
  const tmp = `${file}.${process.pid}.${Date.now()}.part`;
  await copyFile(file, tmp);
  const row = await agency.media.finishVideo(tmp, null);
  return { url: mediaUrl(base, row), sha256: row.sha256, bytes: row.bytes, seconds: (row.duration_ms ?? 0) / 1000 };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface VideoPost {
  id: string;
  title: string;
  video: StoredVideo;
  /** Overrides of what the feed says of the video (a wrong hash, a missing file, a longer length). */
  feedSays?: Partial<StoredVideo>;
}

/** The demo feed with `posts` first, each carrying one video attachment. */
export function feedWithVideos(base: string, posts: VideoPost[], now = Date.now()): object {
  const demo = buildDemoFeed({ base, now }) as unknown as { items: Item[] };
  const items: Item[] = posts.map((p) => {
    const v = { ...p.video, ...p.feedSays };
    return {
      id: p.id,
      url: `${base}/berita/${p.id}`,
      title: p.title,
      summary: `${p.title}: tonton videonya.`,
      date_published: wib(now - 60_000),
      attachments: [
        {
          url: v.url,
          mime_type: 'video/mp4',
          size_in_bytes: v.bytes,
          duration_in_seconds: v.seconds,
          _siar: { sha256: v.sha256 },
        },
      ],
      _siar: { captions: { default: `${p.title} #KabupatenContoh` } },
    };
  });
  return { ...demo, items: [...items, ...demo.items] };
}
