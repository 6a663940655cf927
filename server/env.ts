import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeedText } from '../utils/protocol/feed';
import { createAgencyServer, DEFAULT_RATE_LIMIT, WIB_MINUTES, type AgencyServer } from './app';
import { DEMO_ADMIN, type AdminCredentials } from './dashboard/auth';
import { DEMO_ENROLL_CODES, parseEnrollCodes, type EnrollCodes } from './tally/codes';
import type { RateLimit } from './tally/rate-limit';
import { loadOrCreateSigningKey } from './signing';

// Configuration from the environment, shared by `server/main.ts` and `scripts/start.ts`.
// server/README.md documents every variable.

export interface EnvConfig {
  port: number;
  host: string;
  baseUrl?: string;
  feedFile?: string;
  /** SQLite file, or `:memory:`. */
  db: string;
  enrollCodes: EnrollCodes;
  admin: AdminCredentials;
  rateLimit: RateLimit;
  utcOffsetMinutes: number;
  /** PEM file of the Ed25519 key that signs the feed; made on first start when missing. */
  signingKeyFile: string;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DB = fileURLToPath(new URL('./data/siar.db', import.meta.url));
export const DEFAULT_SIGNING_KEY = fileURLToPath(new URL('./data/signing-key.pem', import.meta.url));

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} is not a positive number: ${raw}`);
  return value;
}

/** `+07:00` → 420. */
function utcOffset(raw: string | undefined): number {
  if (!raw) return WIB_MINUTES;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(raw);
  if (!match || Number(match[2]) > 14 || Number(match[3]) > 59) {
    throw new Error(`SIAR_UTC_OFFSET is not like +07:00: ${raw}`);
  }
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const port = Number(env.SIAR_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIAR_PORT is not a port: ${env.SIAR_PORT}`);
  }
  const password = env.SIAR_ADMIN_PASSWORD ?? DEMO_ADMIN.password;
  if (!password) throw new Error('SIAR_ADMIN_PASSWORD is empty');
  const db = env.SIAR_DB || DEFAULT_DB;
  return {
    port,
    host: env.SIAR_HOST || '127.0.0.1',
    baseUrl: env.SIAR_BASE_URL || undefined,
    feedFile: env.SIAR_FEED_FILE ? resolve(env.SIAR_FEED_FILE) : undefined,
    db: db === ':memory:' ? db : resolve(db),
    enrollCodes: env.SIAR_ENROLL_CODES ? parseEnrollCodes(env.SIAR_ENROLL_CODES) : DEMO_ENROLL_CODES,
    admin: { user: env.SIAR_ADMIN_USER || DEMO_ADMIN.user, password },
    rateLimit: {
      perMinute: positive(env, 'SIAR_RATE_PER_MINUTE', DEFAULT_RATE_LIMIT.perMinute),
      burst: positive(env, 'SIAR_RATE_BURST', DEFAULT_RATE_LIMIT.burst),
    },
    utcOffsetMinutes: utcOffset(env.SIAR_UTC_OFFSET),
    signingKeyFile: env.SIAR_SIGNING_KEY ? resolve(env.SIAR_SIGNING_KEY) : DEFAULT_SIGNING_KEY,
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts the server as configured. A feed file is re-read on every request: edits show at once. */
export async function startFromConfig(config: EnvConfig, quiet = false): Promise<AgencyServer> {
  const { feedFile } = config;
  if (feedFile) {
    // Served as it is even when broken (that is a useful test), but say so up front.
    const checked = parseFeedText(await readFile(feedFile, 'utf8'));
    const problem = !checked.ok
      ? `not a valid feed: ${JSON.stringify(checked.problem)}`
      : checked.feed.dropped > 0 && `${checked.feed.dropped} item(s) break the schema`;
    if (problem) console.warn(`Peringatan / warning: ${feedFile}: ${problem}`);
  }
  if (config.admin.password === DEMO_ADMIN.password && !LOOPBACK.has(config.host)) {
    console.warn(
      `Peringatan / warning: the dashboard on ${config.host} has the demo password; ` +
        'set SIAR_ADMIN_PASSWORD.',
    );
  }
  const signingKey = loadOrCreateSigningKey(config.signingKeyFile);
  const agency = createAgencyServer({
    baseUrl: config.baseUrl,
    feed: feedFile ? () => readFile(feedFile) : undefined,
    signingKey,
    // A feed file signed offline (`npm run agency -- sign`) has its .sig beside it: served as is.
    signature: feedFile
      ? () => readFile(`${feedFile}.sig`, 'utf8').then((s) => s.trim(), () => undefined)
      : undefined,
    quiet,
    db: config.db,
    enrollCodes: config.enrollCodes,
    admin: config.admin,
    rateLimit: config.rateLimit,
    utcOffsetMinutes: config.utcOffsetMinutes,
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
 * What runs where, for the console: URLs, the database, and the demo secrets (only the demo's:
 * a password or codes from the environment are never printed).
 */
export function describeServer(agency: AgencyServer, config: EnvConfig): string {
  const base = agency.base;
  const login =
    config.admin.password === DEMO_ADMIN.password
      ? `${config.admin.user} / ${config.admin.password}`
      : `${config.admin.user} / (SIAR_ADMIN_PASSWORD)`;
  const codes =
    config.enrollCodes === DEMO_ENROLL_CODES
      ? Object.entries(config.enrollCodes).map(([unit, list]) => `    ${list.join(', ').padEnd(16)} ${unit}`)
      : Object.entries(config.enrollCodes).map(
          ([unit, list]) => `    ${unit}: ${list.length} kode / code(s) (SIAR_ENROLL_CODES)`,
        );
  return [
    `  Feed:          ${base}/feed.json`,
    `  Tally:         ${base}/`,
    `  Dasbor:        ${base}/   (masuk / log in: ${login})`,
    `  Basis data:    ${config.db}`,
    `  Kunci publik feed / feed public key: ${agency.publicKey}`,
    '  Kode pendaftaran / enrolment codes:',
    ...codes,
  ].join('\n');
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
