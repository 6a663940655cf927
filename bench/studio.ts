// `npm run bench:studio`: the studio's goals (issue 10) on both databases — publishing a version
// of a 1,000-post feed (build, validate with the extension's schemas, sign, swap) ≤ 200 ms, and
// every studio page p95 ≤ 100 ms with 10,000 posts and 100,000 members. The data set is written
// straight into the schema (seconds); the server runs in this process, the requests are real HTTP.
//
//   npx tsx bench/studio.ts [--posts 10000] [--members 100000] [--backend sqlite|postgres|both]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgencyServer, type AgencyServer } from '../server/app';
import { valuesList, type Database } from '../server/db/sql';
import { SYSTEM } from '../server/studio/audit';
import { startCluster, type Cluster } from '../tests/support/postgres';
import { int, ms, p50, p95, ROOT } from './lib';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const POSTS = num('posts', 10_000);
const MEMBERS = num('members', 100_000);
const LIVE = 1000;
const REQUESTS = num('requests', 40);
const which = argv.includes('--backend') ? argv[argv.indexOf('--backend') + 1]! : 'both';
const backends: ('sqlite' | 'postgres')[] = which === 'both' ? ['sqlite', 'postgres'] : [which as 'sqlite' | 'postgres'];
const log = (s: string) => console.error(`[studio] ${s}`);

/** 10,000 posts across the workflow's states (1,000 live), 100,000 members, an audit trail. */
async function fill(db: Database): Promise<{ liveIds: string[]; someId: string; member: string }> {
  const t0 = performance.now();
  const units = await db.all<{ id: number }>('SELECT id FROM units ORDER BY id');
  const author = (await db.get<{ id: number }>("SELECT id FROM accounts WHERE username = 'editor.dinkes'"))!.id;
  const approver = (await db.get<{ id: number }>("SELECT id FROM accounts WHERE username = 'penyetuju'"))!.id;
  const media = (await db.get<{ media: string }>('SELECT media FROM posts LIMIT 1'))!.media;
  const statuses = ['draft', 'submitted', 'changes_requested', 'expired', 'withdrawn', 'approved'] as const;
  const now = Date.now();
  const liveIds: string[] = [];
  const rows: unknown[][] = [];
  for (let i = 0; i < POSTS; i++) {
    const live = i < LIVE;
    const id = `bench-${String(i).padStart(5, '0')}-pos-${i % 97}`;
    if (live) liveIds.push(id);
    const status = live ? 'approved' : statuses[i % 5]!;
    const at = new Date(now - (i % 2000) * 60_000).toISOString();
    rows.push([
      id,
      Number(units[i % units.length]!.id),
      Number(author),
      status,
      1,
      `Capaian pembangunan nomor ${i}: jalan, sekolah, dan puskesmas di desa ${i % 300}`,
      `Paragraf pertama tentang capaian ${i}.\n\nParagraf kedua dengan angka ${i * 7}.`,
      JSON.stringify({
        x: [`Capaian ${i} untuk X`, `Varian kedua ${i}`],
        facebook: [`Capaian ${i} untuk Facebook, lebih panjang sedikit.`],
        whatsapp: [`Info capaian ${i}`],
      }),
      JSON.stringify(['KabupatenContoh', `Capaian${i % 50}`]),
      null,
      live ? media : '[]',
      null,
      i % 40 === 0 ? 'mandatory' : i % 7 === 0 ? 'high' : 'normal',
      at,
      live ? new Date(now + 30 * 86_400_000).toISOString() : null,
      at,
      at,
      at,
      Number(approver),
      at,
      live ? at : null,
    ]);
  }
  const columns =
    'id, unit_id, author_id, status, version, title, body, captions, hashtags, url, media, campaign, priority, publish_at, expires_at, created_at, updated_at, submitted_at, approved_by, approved_at, published_at';
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    await db.tx((q) => q.run(`INSERT INTO posts (${columns}) VALUES ${valuesList(part.length, 21)}`, part.flat() as never));
  }
  const members: unknown[][] = [];
  const stamp = new Date(now).toISOString();
  for (let i = 0; i < MEMBERS; i++) {
    // A real-looking NIP: a birth date that moves every 999 people, then a sequence number.
    const born = new Date(Date.UTC(1980, 0, 1) + Math.floor(i / 999) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    const nip = `${born}201001${1}${String((i % 999) + 1).padStart(3, '0')}`;
    members.push([nip, `Pegawai Bench ${i}`, Number(units[i % units.length]!.id), stamp, stamp]);
  }
  for (let i = 0; i < members.length; i += 1000) {
    const part = members.slice(i, i + 1000);
    await db.tx((q) =>
      q.run(`INSERT INTO members (nip, name, unit_id, created_at, updated_at) VALUES ${valuesList(part.length, 5)}`, part.flat() as never),
    );
  }
  await db.run('UPDATE rollup_unit SET members = (SELECT COUNT(*) FROM members WHERE members.unit_id = rollup_unit.unit_id)');
  // An audit trail to page through: a few entries per post.
  const audit: unknown[][] = [];
  for (let i = 0; i < POSTS; i++)
    for (const action of ['create', 'submit', 'approve'])
      audit.push([new Date(now).toISOString(), 'bench', action, `bench-${String(i).padStart(5, '0')}-pos-${i % 97}`]);
  for (let i = 0; i < audit.length; i += 1000) {
    const part = audit.slice(i, i + 1000);
    await db.tx((q) =>
      q.run(`INSERT INTO audit_log (at, username, action, post_id) VALUES ${valuesList(part.length, 4)}`, part.flat() as never),
    );
  }
  log(
    `filled: ${int(POSTS)} posts (${LIVE} live), ${int(MEMBERS)} members, ${int(audit.length)} audit entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { liveIds, someId: liveIds[17]!, member: 'Bench 4242' };
}

interface Result {
  backend: string;
  publish: number[];
  publishItems: number;
  pages: { path: string; p50: number; p95: number }[];
}

async function measureBackend(backend: 'sqlite' | 'postgres', cluster: Cluster | undefined): Promise<Result> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'siar-bench-studio-'));
  const db = backend === 'sqlite' ? path.join(dir, 'studio.db') : await cluster!.createDatabase();
  let agency: AgencyServer | undefined;
  try {
    agency = await createAgencyServer({ quiet: true, demo: true, jobs: false, db, mediaDir: path.join(dir, 'media') });
    const { port } = await agency.listen(0);
    const { liveIds, someId, member } = await fill(agency.db);
    // Publishing: the whole step as the approver's request runs it, in its transaction.
    const publish: number[] = [];
    for (let i = 0; i < 12; i++) {
      await agency.db.run('UPDATE posts SET updated_at = $1 WHERE id = $2', [new Date().toISOString(), liveIds[i % liveIds.length]!]);
      const t0 = performance.now();
      await agency.db.tx((q) => agency!.publisher.rebuild(q, SYSTEM, 'bench', Date.now(), { force: true }));
      publish.push(performance.now() - t0);
    }
    const current = await agency.publisher.current();
    const origin = `http://127.0.0.1:${port}`;
    const login = await fetch(`${origin}/login`, {
      method: 'POST',
      body: new URLSearchParams({ user: 'admin', password: 'siar-demo-satu' }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const paths = [
      '/',
      '/studio/posts',
      '/studio/posts?status=submitted',
      '/studio/posts?q=desa%20250',
      '/studio/review',
      `/studio/posts/${someId}`,
      '/studio/posts/new',
      `/studio/posts/${someId}/coverage`,
      '/studio/feed',
      '/studio/audit',
      '/studio/units',
      `/studio/members?q=${encodeURIComponent(member)}`,
      '/studio/members?q=198001',
      '/studio/accounts',
      '/studio/campaigns',
      '/studio/roster',
    ];
    const pages: Result['pages'] = [];
    for (const p of paths) {
      const times: number[] = [];
      for (let i = 0; i < REQUESTS + 3; i++) {
        const t0 = performance.now();
        const res = await fetch(`${origin}${p}`, { headers: { cookie }, redirect: 'manual' });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status}`);
        if (i >= 3) times.push(performance.now() - t0);
      }
      pages.push({ path: p, p50: p50(times), p95: p95(times) });
      log(`${backend} ${p}: p50 ${ms(p50(times))}, p95 ${ms(p95(times))}`);
    }
    return { backend, publish, publishItems: current?.items.size ?? 0, pages };
  } finally {
    await agency?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const cluster = backends.includes('postgres') ? await startCluster() : undefined;
try {
  const results: Result[] = [];
  for (const backend of backends) results.push(await measureBackend(backend, cluster));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const lines = [
    '## Studio (issue 10)',
    '',
    `${int(POSTS)} posts (${LIVE} live, the rest across the workflow's states), ${int(MEMBERS)} members, ${int(POSTS * 3)} audit entries; the demo's units and accounts; the server in this process, requests over loopback HTTP with an admin's session; ${REQUESTS} requests per page after 3 warm-ups. Load average at the end: ${load}.`,
    '',
    '| goal | target | ' + results.map((r) => r.backend).join(' | ') + ' |',
    '| --- | --- | ' + results.map(() => '---').join(' | ') + ' |',
    `| publish a version of the ${LIVE}-post feed (build, validate, sign, swap) | p95 ≤ 200 ms | ` +
      results
        .map((r) => `p50 ${ms(p50(r.publish))}, p95 ${ms(p95(r.publish))} (${r.publishItems} items) ${p95(r.publish) <= 200 ? '✔' : '✘'}`)
        .join(' | ') +
      ' |',
    ...results[0]!.pages.map(
      (page, i) =>
        `| \`GET ${page.path.replace(/bench-[^/?]+/, '<post>')}\` | p95 ≤ 100 ms | ` +
        results.map((r) => `p50 ${ms(r.pages[i]!.p50)}, p95 ${ms(r.pages[i]!.p95)} ${r.pages[i]!.p95 <= 100 ? '✔' : '✘'}`).join(' | ') +
        ' |',
    ),
    '',
  ];
  const section = lines.join('\n');
  console.log(section);
  if (!argv.includes('--no-write')) {
    const file = path.join(ROOT, 'bench/results.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('## Studio (issue 10)');
    const next = start < 0 ? -1 : text.indexOf('\n## ', start + 5);
    const updated = start < 0 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next)}`;
    writeFileSync(file, updated.endsWith('\n') ? updated : `${updated}\n`);
  }
} finally {
  await cluster?.stop();
}
