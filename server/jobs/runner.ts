import { randomBytes } from 'node:crypto';
import type { Database } from '../db/sql';
import { takeLease } from './lease';

// Periodic work off the request path: the publisher's clock, the X verifier, pruning. Each job
// runs in at most one server process at a time (a lease in the database), so any number of
// processes can run behind a load balancer. Timers do not keep the process alive.

export interface Job {
  name: string;
  /** Milliseconds between runs; a run may ask for an earlier next one. */
  everyMs: number;
  /** Returns when it wants to run next (ms since epoch), if sooner than `everyMs`. */
  run: () => Promise<number | undefined | void>;
}

export class JobRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private started = false;
  readonly holder = `${process.pid}-${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly db: Database,
    private readonly jobs: readonly Job[],
    private readonly log: (message: string) => void = (m) => console.error(m),
  ) {}

  start(): void {
    this.started = true;
    for (const job of this.jobs) this.schedule(job, 0);
  }

  private schedule(job: Job, delay: number): void {
    // A job fired by hand (tests, `jobs: false`) runs once; only a started runner keeps time.
    if (this.stopped || !this.started) return;
    clearTimeout(this.timers.get(job.name));
    const timer = setTimeout(() => void this.fire(job), Math.max(0, Math.min(delay, job.everyMs)));
    timer.unref();
    this.timers.set(job.name, timer);
  }

  /** Runs `job` now (tests, and the studio after a change). */
  async fire(job: Job): Promise<void> {
    if (this.stopped) return;
    let next: number | undefined | void;
    const work = (async () => {
      if (!(await takeLease(this.db, `job:${job.name}`, this.holder, Math.max(job.everyMs * 3, 30_000)))) return;
      next = await job.run();
    })();
    this.running.add(work);
    try {
      await work;
    } catch (error) {
      this.log(`siar-server: job ${job.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running.delete(work);
    }
    const delay = typeof next === 'number' ? Math.max(250, next - Date.now() + 50) : job.everyMs;
    this.schedule(job, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.allSettled([...this.running]);
  }
}
