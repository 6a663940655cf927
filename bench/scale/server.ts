// The server under test, in its own process(es): the server bundle exactly as `npm run serve`
// starts it (SIAR_WORKERS=2 forks two workers sharing the port), configured by environment, with
// its memory (RSS of every process) sampled while the bench runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateSigningKey } from '../../server/signing';
import { ROOT } from '../lib';
import { freePort } from './cluster';

export interface ServerUnderTest {
  base: string;
  port: number;
  feedUrl: string;
  pid: number;
  workers: number;
  /** RSS in bytes of the primary and each worker, now. */
  rss(): Record<number, number>;
  /** The largest RSS seen per process, and of all processes together, since the start. */
  peak(): { perProcess: number[]; total: number };
  /** The largest RSS of all processes together since the last `resetPhase`. */
  phasePeak(): number;
  resetPhase(): void;
  stop(): Promise<void>;
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The server as `npm run serve` runs it (package.json: `<build> && [NAME=value …] node <options>
 * <bundle>`): the bundle built now, then the environment the script sets, Node's options and the
 * bundle, so the bench measures the server as it is run, memory settings included.
 */
export function serveCommand(): { env: Record<string, string>; args: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const steps = pkg.scripts.serve!.split('&&').map((step) => step.trim().split(/\s+/));
  const run = steps.pop()!;
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(run[0] ?? '')) {
    const [name, ...value] = run.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (run[0] !== 'node' || !run.at(-1)!.endsWith('.mjs')) {
    throw new Error(`package.json "serve" should end with "[NAME=value …] node <options> <bundle>.mjs", got ${pkg.scripts.serve}`);
  }
  for (const step of steps) {
    const r = spawnSync(step[0]!, step.slice(1), { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${step.join(' ')} failed`);
  }
  return { env, args: run.slice(1).map((word, i, all) => (i === all.length - 1 ? path.join(ROOT, word) : word)) };
}

export interface ServerOptions {
  /** SQLite file or postgres:// URL. */
  db: string;
  workers: number;
  workDir: string;
  /** Extra feed addresses events may name. */
  feedUrls?: string[];
}

export async function startServer(options: ServerOptions): Promise<ServerUnderTest> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const keyFile = path.join(options.workDir, 'signing-key.pem');
  loadOrCreateSigningKey(keyFile);
  // Only what this run sets: nothing inherited from whoever started the bench.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIAR_')));
  Object.assign(env, {
    SIAR_PORT: String(port),
    SIAR_HOST: '127.0.0.1',
    SIAR_BASE_URL: base,
    ...(options.db.startsWith('postgres') ? { SIAR_DATABASE_URL: options.db } : { SIAR_DB: options.db }),
    SIAR_MEDIA_DIR: path.join(options.workDir, 'media'),
    SIAR_SIGNING_KEY: keyFile,
    SIAR_WORKERS: String(options.workers),
    // Raised for the run (the bench measures the store, not the limiter): per-member rate limit
    // and daily cap out of the way.
    SIAR_RATE_PER_MINUTE: '1000000000',
    SIAR_RATE_BURST: '1000000000',
    SIAR_DAILY_CAP: '1000000000',
    SIAR_FEED_URLS: (options.feedUrls ?? []).join(','),
    // The X verifier must never leave this machine: a closed loopback port.
    SIAR_X_OEMBED_URL: 'http://127.0.0.1:9/oembed',
  });
  // Kept after the run (the work copy is not): what the server said under load.
  const logDir = path.join(options.workDir, '..', '..', 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `server-${new Date().toISOString().replace(/[:.]/g, '-')}-${port}.log`);
  const out = openSync(logFile, 'a');
  // SIAR_BENCH_NODE_ARGS: extra options for the server's Node, to profile it (`--cpu-prof
  // --cpu-prof-dir=/tmp/prof`); Node refuses those in NODE_OPTIONS.
  const extra = process.env.SIAR_BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const serve = serveCommand();
  const child: ChildProcess = spawn(process.execPath, [...extra, ...serve.args], {
    cwd: ROOT,
    env: { ...env, ...serve.env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 180 s (log: ${logFile})`));
    }, 180_000);
    child.on('message', (m: { siar?: string; workers?: number }) => {
      if (m?.siar !== 'ready') return;
      if (options.workers > 1 && m.workers === undefined) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').slice(-1500);
      } catch {
        // no log
      }
      reject(new Error(`the server exited (${code}) before it was ready: ${tail}`));
    });
  });
  const pid = child.pid!;
  const peaks = new Map<number, number>();
  let peakTotal = 0;
  let phaseTotal = 0;
  const sample = () => {
    const pids = [pid, ...children(pid)];
    let total = 0;
    for (const p of pids) {
      const r = rssOf(p);
      total += r;
      peaks.set(p, Math.max(peaks.get(p) ?? 0, r));
    }
    peakTotal = Math.max(peakTotal, total);
    phaseTotal = Math.max(phaseTotal, total);
  };
  const timer = setInterval(sample, 250);
  timer.unref();
  sample();
  return {
    base,
    port,
    feedUrl: `${base}/feed.json`,
    pid,
    workers: options.workers,
    rss: () => Object.fromEntries([pid, ...children(pid)].map((p) => [p, rssOf(p)])),
    peak: () => ({ perProcess: [...peaks.values()], total: peakTotal }),
    phasePeak: () => phaseTotal,
    resetPhase: () => {
      phaseTotal = 0;
      sample();
    },
    stop: async () => {
      clearInterval(timer);
      const workers = children(pid);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      // The cluster primary would otherwise stay up for our IPC channel after its workers left.
      if (child.connected) child.disconnect();
      const t = setTimeout(() => {
        // Our own processes only, by pid.
        for (const w of workers) {
          try {
            process.kill(w, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        child.kill('SIGKILL');
      }, 15_000);
      await gone;
      clearTimeout(t);
    },
  };
}
