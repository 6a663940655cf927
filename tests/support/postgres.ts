import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// A throwaway PostgreSQL cluster for tests and the bench: initdb in a temporary directory,
// listening on a free loopback port, stopped and removed afterwards (also after a failure). It
// never touches a system cluster. initdb refuses to run as root, so as root the cluster runs as
// the `postgres` user that Debian's package creates.

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export interface Cluster {
  /** `postgres://siar@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** A fresh, empty database in the cluster; its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const dir = process.env.SIAR_PG_BIN ?? BIN_DIRS.find((d) => existsSync(join(d, 'initdb')));
  if (!dir) {
    throw new Error(
      'PostgreSQL is not installed: the server tests run on SQLite and PostgreSQL. ' +
        'Install it with `apt-get install -y postgresql` (or set SIAR_PG_BIN to its bin directory).',
    );
  }
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Owner {
  uid?: number;
  gid?: number;
}

function owner(): Owner {
  if (process.getuid?.() !== 0) return {};
  // Debian's package creates the user; its ids come from the passwd database.
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` user to run the test cluster as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(cmd: string, args: string[], who: Owner, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...who, env: { ...process.env, LC_ALL: 'C', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} failed (${code}): ${out.slice(-2000)}`))));
  });
}

export async function startCluster(): Promise<Cluster> {
  const bin = binDir();
  const who = owner();
  const dir = mkdtempSync(join(tmpdir(), 'siar-pg-'));
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
  const data = join(dir, 'data');
  const port = await freePort();
  let started = false;
  const stop = async () => {
    try {
      if (started) await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], who).catch(() => undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'siar', '--no-sync', '-E', 'UTF8'], who);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      // A throwaway cluster: durability is not wanted, speed is.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
      '-c shared_buffers=128MB',
    ].join(' ');
    await run(join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', 'start'], who);
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `postgres://siar@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    url,
    port,
    createDatabase: (name = `siar_${process.pid}_${Date.now()}_${counter++}`) => createDatabaseAt(url, name),
    stop,
  };
}

/** For a process that did not start the cluster: a fresh database in the cluster at `url`. */
export async function createDatabaseAt(
  url: string,
  name = `siar_${process.pid}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`,
): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.href;
}
