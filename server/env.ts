import { chmodSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAgencyServer, DEFAULT_RATE_LIMIT, WIB_MINUTES, type AgencyServer } from './app';
import { isPostgresUrl } from './db/database';
import { redactUrl } from './db/postgres';
import { serverFile } from './paths';
import { DEMO_ACCOUNTS } from './demo/seed';
import type { RateLimit } from './guard/rate';
import { loadOrCreateSigningKey, signingKeyFromPem } from './signing';
import { MIN_PASSWORD_LENGTH } from './studio/passwords';
import { DEMO_ENROLL_CODES, parseEnrollCodes, type EnrollCodes } from './tally/codes';

// Configuration from the environment, shared by `server/main.ts` and `scripts/start.ts`.
// server/README.md documents every variable. Nothing secret is ever defaulted outside a demo:
// without SIAR_DEMO=1 a new database needs its first admin's password and its units' codes.

export interface EnvConfig {
  port: number;
  host: string;
  baseUrl?: string;
  /** SQLite file, `:memory:`, or a postgres:// URL. */
  db: string;
  mediaDir?: string;
  demo: boolean;
  enrollCodes?: EnrollCodes;
  admin?: { user: string; password: string };
  rateLimit: RateLimit;
  dailyCap?: number;
  utcOffsetMinutes: number;
  /** PEM file of the Ed25519 key that signs the feed (online signing); made on a demo's first start. */
  signingKeyFile: string;
  /** Offline signing: only the public key is on the server. */
  offlinePublicKey?: string;
  trustProxy: number;
  feedUrls: string[];
  oembedUrl?: string;
  publisher?: { id: string; name: string };
  maxConnections?: number;
  maxVideoBytes?: number;
  workers: number;
  /** PostgreSQL connections per server process. */
  dbPool?: number;
  /** `POST v1/shares` requests at once per process before the next is told to come back (503). */
  sharesInFlight?: number;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DB = serverFile('data', 'siar.db');
export const DEFAULT_SIGNING_KEY = serverFile('data', 'signing-key.pem');

function positive(env: NodeJS.ProcessEnv, name: string, fallback?: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} is not a positive number: ${raw}`);
  return value;
}

function whole(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = positive(env, name);
  if (value !== undefined && !Number.isInteger(value)) throw new Error(`${name} is not a whole number: ${env[name]}`);
  return value;
}

/** `+07:00` → 420. */
function utcOffset(raw: string | undefined): number {
  if (!raw) return WIB_MINUTES;
  const named: Record<string, number> = { WIB: 420, WITA: 480, WIT: 540 };
  if (named[raw.toUpperCase()] !== undefined) return named[raw.toUpperCase()]!;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(raw);
  if (!match || Number(match[2]) > 14 || Number(match[3]) > 59) {
    throw new Error(`SIAR_UTC_OFFSET is not like +07:00 (or WIB, WITA, WIT): ${raw}`);
  }
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, defaults: { demo?: boolean } = {}): EnvConfig {
  const port = Number(env.SIAR_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIAR_PORT is not a port: ${env.SIAR_PORT}`);
  }
  if (env.SIAR_FEED_FILE) {
    throw new Error('SIAR_FEED_FILE is gone: posts are written and published in the studio (or pushed with its API)');
  }
  const demo = env.SIAR_DEMO === undefined || env.SIAR_DEMO === '' ? (defaults.demo ?? false) : env.SIAR_DEMO === '1';
  const password = env.SIAR_ADMIN_PASSWORD;
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`SIAR_ADMIN_PASSWORD must have ${MIN_PASSWORD_LENGTH} characters or more`);
  }
  const db = env.SIAR_DATABASE_URL || env.SIAR_DB || DEFAULT_DB;
  if (env.SIAR_DATABASE_URL && !isPostgresUrl(env.SIAR_DATABASE_URL)) throw new Error('SIAR_DATABASE_URL must be a postgres:// URL');
  const offline = env.SIAR_SIGNING_MODE === 'offline';
  if (env.SIAR_SIGNING_MODE && !['online', 'offline'].includes(env.SIAR_SIGNING_MODE))
    throw new Error('SIAR_SIGNING_MODE is online or offline');
  if (offline && !/^[A-Za-z0-9_-]{43}$/.test(env.SIAR_FEED_PUBLIC_KEY ?? '')) {
    throw new Error('offline signing needs SIAR_FEED_PUBLIC_KEY (the agency public key, 43 characters of base64url)');
  }
  const workers = positive(env, 'SIAR_WORKERS', 1)!;
  if (!Number.isInteger(workers)) throw new Error('SIAR_WORKERS is a whole number');
  return {
    port,
    host: env.SIAR_HOST || '127.0.0.1',
    baseUrl: env.SIAR_BASE_URL || undefined,
    db: db === ':memory:' || isPostgresUrl(db) ? db : resolve(db),
    mediaDir: env.SIAR_MEDIA_DIR ? resolve(env.SIAR_MEDIA_DIR) : undefined,
    demo,
    enrollCodes: env.SIAR_ENROLL_CODES ? parseEnrollCodes(env.SIAR_ENROLL_CODES) : undefined,
    admin: password ? { user: env.SIAR_ADMIN_USER || 'admin', password } : undefined,
    rateLimit: {
      perMinute: positive(env, 'SIAR_RATE_PER_MINUTE', DEFAULT_RATE_LIMIT.perMinute)!,
      burst: positive(env, 'SIAR_RATE_BURST', DEFAULT_RATE_LIMIT.burst)!,
    },
    dailyCap: positive(env, 'SIAR_DAILY_CAP'),
    utcOffsetMinutes: utcOffset(env.SIAR_UTC_OFFSET),
    signingKeyFile: env.SIAR_SIGNING_KEY ? resolve(env.SIAR_SIGNING_KEY) : DEFAULT_SIGNING_KEY,
    offlinePublicKey: offline ? env.SIAR_FEED_PUBLIC_KEY : undefined,
    trustProxy: positive(env, 'SIAR_TRUST_PROXY', 0) ?? 0,
    feedUrls: (env.SIAR_FEED_URLS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    oembedUrl: env.SIAR_X_OEMBED_URL || undefined,
    publisher: env.SIAR_PUBLISHER_NAME ? { id: env.SIAR_PUBLISHER_ID || 'agensi', name: env.SIAR_PUBLISHER_NAME } : undefined,
    maxConnections: positive(env, 'SIAR_MAX_CONNECTIONS'),
    maxVideoBytes: env.SIAR_MAX_VIDEO_MB ? positive(env, 'SIAR_MAX_VIDEO_MB')! * 1024 * 1024 : undefined,
    workers,
    dbPool: whole(env, 'SIAR_DB_POOL'),
    sharesInFlight: whole(env, 'SIAR_SHARES_IN_FLIGHT'),
  };
}

/** The signing key for online signing; outside a demo it must already exist (never made silently). */
function signingKey(config: EnvConfig) {
  if (config.offlinePublicKey) return undefined;
  if (config.demo) return loadOrCreateSigningKey(config.signingKeyFile);
  let mode: number;
  try {
    mode = statSync(config.signingKeyFile).mode;
  } catch {
    throw new Error(
      `no signing key at ${config.signingKeyFile}: make one with \`npm run agency -- keygen --out ${config.signingKeyFile}\` ` +
        '(or set SIAR_SIGNING_KEY, or SIAR_SIGNING_MODE=offline with SIAR_FEED_PUBLIC_KEY)',
    );
  }
  if (mode & 0o077) {
    // Readable by others: tighten it, and say so.
    chmodSync(config.signingKeyFile, 0o600);
    console.warn(`Peringatan / warning: ${config.signingKeyFile} was readable by other users; it is now 0600.`);
  }
  return loadOrCreateSigningKey(config.signingKeyFile);
}

/** Starts the server as configured. */
export async function startFromConfig(config: EnvConfig, quiet = false): Promise<AgencyServer> {
  const key = signingKey(config);
  const agency = await createAgencyServer({
    baseUrl: config.baseUrl,
    quiet,
    db: config.db,
    mediaDir: config.mediaDir,
    demo: config.demo,
    enrollCodes: config.demo ? DEMO_ENROLL_CODES : config.enrollCodes,
    admin: config.admin,
    rateLimit: config.rateLimit,
    dailyCap: config.dailyCap,
    utcOffsetMinutes: config.utcOffsetMinutes,
    signingKey: key,
    offlinePublicKey: config.offlinePublicKey,
    trustProxy: config.trustProxy,
    feedUrls: config.feedUrls,
    oembedUrl: config.oembedUrl,
    publisher: config.publisher,
    maxConnections: config.maxConnections,
    dbPool: config.dbPool,
    sharesInFlight: config.sharesInFlight,
    ...(config.maxVideoBytes
      ? { mediaLimits: { image: { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000, maxSide: 12_000 }, videoBytes: config.maxVideoBytes } }
      : {}),
  });
  try {
    await agency.listen(config.port, config.host);
  } catch (error) {
    await agency.close();
    throw error;
  }
  return agency;
}

/**
 * What runs where, for the console: URLs, the database, and — in a demo only — the demo's accounts
 * and codes. A password or codes from the environment are never printed.
 */
export function describeServer(agency: AgencyServer, config: EnvConfig): string {
  const base = agency.base;
  const lines = [
    `  Feed:          ${base}/feed.json`,
    `  Rekap / tally: ${base}/`,
    `  Studio:        ${base}/studio/posts`,
    `  Dasbor:        ${base}/`,
    `  Basis data:    ${isPostgresUrl(config.db) ? redactUrl(config.db) : config.db}`,
    `  Kunci publik feed / feed public key: ${agency.publicKey}`,
  ];
  if (config.demo) {
    lines.push(
      '',
      '  *** DEMO: akun dan kode di bawah diketahui umum / the accounts and codes below are public ***',
      '  Akun studio / studio accounts:',
      ...DEMO_ACCOUNTS.map((a) => `    ${a.user.padEnd(16)} ${a.password.padEnd(22)} ${a.role}${a.unit ? ` (${a.unit})` : ''}`),
      '  Kode pendaftaran / enrolment codes:',
      ...Object.entries(DEMO_ENROLL_CODES).map(([unit, list]) => `    ${list.join(', ').padEnd(16)} ${unit}`),
    );
  } else if (config.admin) {
    lines.push(`  Admin pertama / first admin: ${config.admin.user} / (SIAR_ADMIN_PASSWORD)`);
  }
  return lines.join('\n');
}

/** Closes the server on Ctrl+C / SIGTERM; a second signal exits at once. */
export function closeOnSignals(agency: AgencyServer): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`\n${signal}: server dihentikan / server stopped.`);
    agency.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export { signingKeyFromPem };
