/**
 * ffmpeg for tests: generates sample media at test time (nothing binary is committed) and decodes
 * outputs as an independent judge of "still the same picture".
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReadAt } from '../../../server/studio/media/mp4';

const exec = promisify(execFile);

export async function ffmpeg(args: string[]): Promise<void> {
  try {
    await exec('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { maxBuffer: 16 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('These tests need ffmpeg on the PATH (Debian/Ubuntu: apt-get install ffmpeg).');
    }
    throw error;
  }
}

/**
 * Per-frame checksums of the decoded pixels as stored (no turning for an orientation tag), without
 * the header lines (which name the file).
 */
export async function framemd5(path: string): Promise<string[]> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', '-autorotate', '0', '-i', path, '-f', 'framemd5', '-'],
    {
      maxBuffer: 16 << 20,
    },
  );
  return stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

export interface Probe {
  streams: { codec_name?: string; width?: number; height?: number; side_data_list?: { rotation?: number }[] }[];
  frames?: { tags?: Record<string, string> }[];
  format?: { duration?: string };
}

export async function ffprobe(path: string, extra: string[] = []): Promise<Probe> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...extra, path], {
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout) as Probe;
}

export async function tempDir(): Promise<{ path: string; file: (name: string) => string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'siar-media-'));
  return { path, file: (name) => join(path, name), remove: () => rm(path, { recursive: true, force: true }) };
}

/** A ReadAt over a file, counting what it reads so tests can prove the media data was skipped. */
export async function fileReader(
  path: string,
): Promise<{ readAt: ReadAt; size: number; bytesRead: () => number; close: () => Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await stat(path);
  let total = 0;
  return {
    size,
    readAt: async (offset, length) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      total += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
    bytesRead: () => total,
    close: () => handle.close(),
  };
}

/** Runs tasks at most `limit` at a time: the test machine has two cores shared with other files. */
export async function limited<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}
