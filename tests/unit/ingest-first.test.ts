import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestEnded, ingestQuiet, ingestStarted, ingestStoring } from '../../server/guard/ingest-first';

describe('ingest first: an export waits for the batches being stored', () => {
  afterEach(() => {
    while (ingestStoring() > 0) ingestEnded();
    vi.useRealTimers();
  });

  it('goes on at once when nothing is being stored', async () => {
    let went = false;
    await ingestQuiet(1000).then(() => (went = true));
    expect(went).toBe(true);
  });

  it('waits until the last batch in flight is stored', async () => {
    vi.useFakeTimers();
    ingestStarted();
    ingestStarted();
    let went = false;
    void ingestQuiet(10_000).then(() => (went = true));
    ingestEnded();
    await Promise.resolve();
    expect(went).toBe(false);
    ingestEnded();
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toBe(true);
  });

  it('is slowed, never stopped, by batches that never stop coming', async () => {
    vi.useFakeTimers();
    ingestStarted();
    let went = false;
    void ingestQuiet(200).then(() => (went = true));
    await vi.advanceTimersByTimeAsync(199);
    expect(went).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(went).toBe(true);
    expect(ingestStoring()).toBe(1);
  });

  it('counts an end without a start as nothing (never below zero)', async () => {
    ingestEnded();
    expect(ingestStoring()).toBe(0);
  });
});
