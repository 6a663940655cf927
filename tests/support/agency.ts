import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createAgencyServer, type AgencyServer, type AgencyServerOptions } from '../../server/app';
import { DEMO_ACCOUNTS } from '../../server/demo/seed';
import { wib } from '../../server/demo/feed';
import type { ShareEventWire } from '../../utils/protocol/tally';
import { createDatabaseAt } from './postgres';

// The agency server for tests, on either database: a real socket, real fetch, a real SQLite file
// or a real PostgreSQL database in the run's throwaway cluster. No mocks.

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

const dir = mkdtempSync(join(tmpdir(), 'siar-server-test-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A new, empty database of the kind asked for. */
export async function freshDatabase(backend: Backend): Promise<string> {
  if (backend === 'sqlite') return join(dir, `agency-${process.pid}-${++files}.db`);
  return createDatabaseAt(inject('pgUrl'));
}

export const DEMO = Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.user, a])) as Record<string, (typeof DEMO_ACCOUNTS)[number]>;
export const KOMINFO = { unit: 'Dinas Komunikasi dan Informatika', code: 'KOMINFO-2026' };
export const DINKES = { unit: 'Dinas Kesehatan', code: 'DINKES-2026' };
export const MANDATORY_ITEM = 'kab-contoh-apel-asn-medsos';

/** A valid NIP, different for each `seq` (1–999): born 15 March 1985, appointed January 2010. */
export const nip = (seq: number) => `198503152010012${String(seq).padStart(3, '0')}`;

export interface Harness {
  agency: AgencyServer;
  backend: Backend;
  /** http://127.0.0.1:PORT (Node may try ::1 for localhost, where nothing listens). */
  origin: string;
  /** The feed URL share events must name. */
  feedUrl: string;
  call(path: string, init?: RequestInit): Promise<Response>;
  json(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** A studio API token for a demo account (or any user and password). */
  login(user: string, password?: string): Promise<string>;
  /** A studio API call with a token; the answer's status and JSON body (read loosely by tests). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api<T = any>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Enrols and returns the member's token. */
  member(seq: number, where?: { code: string; unit?: string }, name?: string): Promise<string>;
  share(overrides?: Partial<ShareEventWire>): ShareEventWire;
  close(): Promise<void>;
}

/** A demo agency (units, codes, accounts, posts) unless the options say otherwise. */
export async function startAgency(backend: Backend, options: AgencyServerOptions = {}): Promise<Harness> {
  const db = options.db ?? (await freshDatabase(backend));
  const agency = await createAgencyServer({ quiet: true, demo: true, jobs: false, ...options, db });
  const { port } = await agency.listen(0);
  const origin = `http://127.0.0.1:${port}`;
  const call = (path: string, init?: RequestInit) => fetch(new URL(path, origin), { redirect: 'manual', ...init });
  const json = (method: string, path: string, body?: unknown, token?: string) =>
    call(path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const h: Harness = {
    agency,
    backend,
    origin,
    feedUrl: `${agency.base}/feed.json`,
    call,
    json,
    async login(user, password = DEMO[user]?.password) {
      const res = await json('POST', '/api/v1/session', { user, password });
      if (res.status !== 201) throw new Error(`login ${user}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async api(token, method, path, body) {
      const res = await json(method, `/api/v1${path}`, body, token);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async member(seq, where = KOMINFO, name = `Pegawai ${seq}`) {
      const res = await json('POST', '/v1/enroll', { nip: nip(seq), name, ...where });
      if (res.status !== 201) throw new Error(`enrol ${seq}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    share(overrides = {}) {
      return {
        id: randomUUID(),
        item_id: MANDATORY_ITEM,
        feed_url: `${agency.base}/feed.json`,
        platform: 'x',
        action: 'posted',
        at: wib(Date.now()),
        ...overrides,
      };
    },
    close: () => agency.close(),
  };
  return h;
}
