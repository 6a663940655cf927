// Ingest first: share events are what members wait for; an export is background work. This
// process's batches in flight are counted here, and an export waits between its pages (SQLite) or
// chunks (PostgreSQL's COPY, which then waits on its socket) while any is being stored, so on a
// machine with few cores ingest keeps its latency and the export takes longer instead.

let storing = 0;
let waiters: (() => void)[] = [];

/** Around one batch being stored. */
export function ingestStarted(): void {
  storing++;
}

export function ingestEnded(): void {
  storing = Math.max(0, storing - 1);
  if (storing === 0) {
    const ready = waiters;
    waiters = [];
    for (const go of ready) go();
  }
}

/**
 * Resolves at once when no batch is being stored in this process, else when none is or after
 * `maxMs`, whichever is first: a constant stream of batches slows an export, it never stops it.
 */
export function ingestQuiet(maxMs: number): Promise<void> {
  if (storing === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const go = () => {
      clearTimeout(timer);
      waiters = waiters.filter((w) => w !== go);
      resolve();
    };
    const timer = setTimeout(go, maxMs);
    waiters.push(go);
  });
}

/** Batches being stored now (for tests). */
export function ingestStoring(): number {
  return storing;
}
