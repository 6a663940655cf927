// The access log gathers lines and writes them together: one write per FLUSH_MS, or sooner when
// many are waiting; nothing is lost.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessLog } from '../../server/access-log';

describe('access log', () => {
  afterEach(() => vi.useRealTimers());

  it('writes the lines of 100 ms in one write, in order', async () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const log = new AccessLog((text) => writes.push(text));
    log.line('a');
    log.line('b');
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toEqual(['a\nb\n']);
    log.line('c');
    log.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
    log.flush();
    expect(writes).toHaveLength(2);
  });

  it('writes at once when 64 KiB are waiting', () => {
    const writes: string[] = [];
    const log = new AccessLog((text) => writes.push(text));
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 64; i++) log.line(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toHaveLength(65);
  });
});
