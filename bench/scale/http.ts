// The load generator's HTTP side: node:http with keep-alive agents (lighter per request than
// fetch, which matters at 1,500 requests a second on two shared cores), closed-loop and
// open-loop drivers, and the statistics.
//
// Members come from many addresses (127.0.0.2, 127.0.0.3, … all loopback on Linux), as they would
// in the field: the server caps connections per client address (100 by default), and one address
// for everything would measure that cap instead of the server.
import http from 'node:http';
import { percentile } from '../lib';

export interface Sample {
  /** When it finished, ms since the phase began. */
  at: number;
  ms: number;
  status: number;
  /** Events the answer accepted (ingest), or bytes (export). */
  n: number;
}

export interface Reply {
  status: number;
  ms: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** What the load's requests go through: `Client`, or the open loop's `LeanClient`. */
export interface Requester {
  request(
    method: string,
    path: string,
    opts?: { headers?: Record<string, string>; body?: string; from?: number; timeoutMs?: number },
  ): Promise<Reply>;
}

export class Client implements Requester {
  private readonly agents = new Map<string, http.Agent>();
  readonly host: string;
  readonly port: number;

  constructor(base: string) {
    const u = new URL(base);
    this.host = '127.0.0.1';
    this.port = Number(u.port);
  }

  /** Address number `k` (0 → 127.0.0.2): one per simulated client group. */
  /** Loopback address number `k`. */
  address(k: number): string {
    return `127.0.${Math.floor(k / 250)}.${2 + (k % 250)}`;
  }

  agent(k: number): http.Agent {
    const address = this.address(k);
    let agent = this.agents.get(address);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxSockets: 80, localAddress: address } as http.AgentOptions);
      this.agents.set(address, agent);
    }
    return agent;
  }

  request(
    method: string,
    path: string,
    opts: {
      headers?: Record<string, string>;
      body?: string;
      from?: number;
      timeoutMs?: number;
      keepBody?: boolean;
      onData?: (chunk: Buffer) => void;
    } = {},
  ): Promise<Reply> {
    const t0 = performance.now();
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
      if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent(opts.from ?? 0) }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (opts.onData) opts.onData(c);
          else if (opts.keepBody !== false) parts.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - t0,
            body: Buffer.concat(parts).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, body: String(e), headers: {} }));
      });
      req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, body: String(e.message), headers: {} }));
      req.end(opts.body);
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** `workers` loops, each starting its next request when the last one answered, for `ms`. */
export async function closedLoop(workers: number, ms: number, one: (worker: number) => Promise<Omit<Sample, 'at'>>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const s = await one(w);
        samples.push({ ...s, at: performance.now() - t0 });
      }
    }),
  );
  return samples;
}

/** `n` requests one after another (a single client). */
export async function sequential(n: number, one: (i: number) => Promise<Omit<Sample, 'at'>>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) samples.push({ ...(await one(i)), at: performance.now() - t0 });
  return samples;
}

/**
 * Open loop: requests leave at `perSecond` on a fixed schedule whether or not earlier ones have
 * answered, and each latency counts from when it was due, not when it left (a slow server is
 * not allowed to slow the arrivals down and hide its queue).
 */
export async function openLoop(
  perSecond: number,
  ms: number,
  one: (i: number) => Promise<Omit<Sample, 'at' | 'ms'> & { ms?: number }>,
): Promise<{ samples: Sample[]; sent: number; lateStartMs: number[] }> {
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const total = Math.floor((perSecond * ms) / 1000);
  const lateStart: number[] = [];
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && t0 + (i * 1000) / perSecond <= now) {
        const due = t0 + (i * 1000) / perSecond;
        lateStart.push(now - due);
        const k = i++;
        pending.push(
          one(k).then((s) => {
            const done = performance.now();
            samples.push({ at: done - t0, ms: done - due, status: s.status, n: s.n });
          }),
        );
      }
      if (i >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  return { samples, sent: i, lateStartMs: lateStart };
}

export interface Stats {
  n: number;
  ok: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

export function stats(samples: readonly Sample[], ok = (s: Sample) => s.status === 200): Stats {
  const ms = samples.map((s) => s.ms);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    n: samples.length,
    ok: samples.filter(ok).length,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    p99: percentile(ms, 99),
    max: ms.length ? Math.max(...ms) : NaN,
    statuses,
  };
}

/** Events per second over the whole phase and in its slowest `windowMs` window. */
export function throughput(
  samples: readonly Sample[],
  phaseMs: number,
  windowMs = 5000,
): { rate: number; slowest: number; windows: number[] } {
  const total = samples.reduce((a, s) => a + s.n, 0);
  const windows: number[] = [];
  for (let start = 0; start + windowMs <= phaseMs + 1; start += windowMs) {
    const n = samples.filter((s) => s.at >= start && s.at < start + windowMs).reduce((a, s) => a + s.n, 0);
    windows.push(n / (windowMs / 1000));
  }
  return { rate: total / (phaseMs / 1000), slowest: windows.length ? Math.min(...windows) : NaN, windows };
}
