// A PostgreSQL cluster on a data directory the scale bench keeps (tests/support/postgres.ts makes
// throwaway ones in a temporary directory, which cannot be cached). As root it runs as Debian's
// `postgres` user, since initdb and postgres refuse to run as root.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export function pgBin(): string {
  const dir = process.env.SIAR_PG_BIN ?? BIN_DIRS.find((d) => existsSync(path.join(d, 'initdb')));
  if (!dir) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql), or set SIAR_PG_BIN');
  return dir;
}

export interface Owner {
  uid?: number;
  gid?: number;
}

export function pgOwner(): Owner {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` user to run the cluster as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export function run(cmd: string, args: string[], who: Owner = {}, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...who, env: { ...process.env, LC_ALL: 'C', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} failed (${code}): ${out.slice(-2000)}`)),
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A directory the cluster's user owns (mode 0700), made if missing. */
export function ownedDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const who = pgOwner();
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
}

export async function initCluster(data: string): Promise<void> {
  ownedDir(path.dirname(data));
  await run(path.join(pgBin(), 'initdb'), ['-D', data, '-A', 'trust', '-U', 'siar', '--no-sync', '-E', 'UTF8'], pgOwner());
}

export interface RunningCluster {
  data: string;
  port: number;
  url(db?: string): string;
  stop(): Promise<void>;
}

/**
 * Settings while generating (no durability wanted: the cache is rebuilt if lost) and while
 * measuring (a province's production-like settings, scaled to this machine; see the report).
 */
export const GENERATE_SETTINGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'shared_buffers=1GB',
  'maintenance_work_mem=1GB',
  'max_wal_size=1GB',
  'checkpoint_timeout=30min',
  'autovacuum=off',
];
export const MEASURE_SETTINGS = [
  // Commits are not waited on by fsync (like SQLite's synchronous=NORMAL in WAL mode the server
  // uses): a crash of the machine may lose the last few hundred ms, never corrupt anything.
  'synchronous_commit=off',
  'shared_buffers=1GB',
  'effective_cache_size=8GB',
  'max_wal_size=4GB',
  'checkpoint_timeout=15min',
  'max_connections=200',
  'random_page_cost=1.1',
];

export async function startPg(data: string, settings: readonly string[]): Promise<RunningCluster> {
  const bin = pgBin();
  const who = pgOwner();
  const dir = path.dirname(data);
  // A run that was killed may have left its postmaster behind on this directory.
  if (existsSync(path.join(data, 'postmaster.pid'))) {
    await run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], who).catch(() => undefined);
  }
  const port = await freePort();
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...settings.map((s) => `-c ${s}`)].join(' ');
  await run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '300', 'start'], who);
  let stopped = false;
  return {
    data,
    port,
    url: (db = 'siar') => `postgres://siar@127.0.0.1:${port}/${db}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Fast (not immediate): a clean shutdown, so the directory can be cached or copied as is.
      await run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '300', 'stop'], who).catch((e: unknown) => {
        console.error(`[scale] pg_ctl stop: ${(e as Error).message}`);
      });
    },
  };
}
