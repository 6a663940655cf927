// The scale bench's data set, as a deterministic stream: the same parameters and seed give the
// same agency (units, members, posts) and the same events, byte for byte, so the SQLite file and
// the PostgreSQL database are two copies of one data set and a rerun can trust its cache.
//
// Shapes meant to look like an agency after 90 days (issue 12's set-up): units of very uneven
// size (a Dinas Pendidikan with thousands, a kecamatan with a few hundred), most members active
// but a few very active, about eleven posts a day of which members share mostly the newest
// (mandatory ones more), most events `inserted`/`posted`, platforms mostly Facebook, WhatsApp and
// X, WhatsApp posts self-reported, and some posts of the same item on the same platform repeated
// days later (counted once by `posted_firsts`).
import { createHash, createHmac } from 'node:crypto';

export interface DataParams {
  events: number;
  members: number;
  units: number;
  days: number;
  posts: number;
  seed: number;
}

export const FULL: DataParams = { events: 10_000_000, members: 100_000, units: 50, days: 90, posts: 1_000, seed: 1 };

/** Bumped whenever the stream below changes, so an old cache is not taken for a new data set. */
export const GENERATOR_VERSION = 1;

export const WIB_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
/** Feed address historical events name (the agency's public one); live ones name the server's. */
export const HISTORIC_FEED_URL = 'https://siar.bench.example.go.id/feed.json';
export const ADMIN_USER = 'admin';
/** The bench's own throwaway admin password: the data set is fake and lives only under .bench-data/. */
export const ADMIN_PASSWORD = 'skala-bench-rahasia-2026';

// ---------------------------------------------------------------------------------------------
// Randomness: sfc32, small and fast, seeded; never Math.random (the stream must repeat).

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 20; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4_294_967_296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** An index drawn with the weights whose running sums are `cum` (last = total). */
  pick(cum: Float64Array, length = cum.length): number {
    const x = this.next() * cum[length - 1]!;
    let lo = 0;
    let hi = length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  of<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A version-4 UUID (what the extension sends as an event id) from the seeded stream. */
export function uuid(rng: Rng): string {
  const a = rng.u32();
  const b = rng.u32();
  const c = rng.u32();
  const d = rng.u32();
  const b6 = (((b >>> 8) & 0x0f) | 0x40) >>> 0;
  const c8 = (((c >>> 24) & 0x3f) | 0x80) >>> 0;
  return (
    HEX[a >>> 24]! +
    HEX[(a >>> 16) & 255]! +
    HEX[(a >>> 8) & 255]! +
    HEX[a & 255]! +
    '-' +
    HEX[b >>> 24]! +
    HEX[(b >>> 16) & 255]! +
    '-' +
    HEX[b6]! +
    HEX[b & 255]! +
    '-' +
    HEX[c8]! +
    HEX[(c >>> 16) & 255]! +
    '-' +
    HEX[(c >>> 8) & 255]! +
    HEX[c & 255]! +
    HEX[d >>> 24]! +
    HEX[(d >>> 16) & 255]! +
    HEX[(d >>> 8) & 255]! +
    HEX[d & 255]!
  );
}

function cumulative(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights[i]!;
  return out;
}

/** `2026-12-03T08:00:00.000+07:00`: how the extension writes `at` (the member's own clock, WIB). */
export function wib(ms: number): string {
  return `${new Date(ms + WIB_MS).toISOString().slice(0, 23)}+07:00`;
}

/** The WIB calendar day of a moment. */
export function wibDay(ms: number): string {
  return new Date(ms + WIB_MS).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Tokens: derived from the seed and the member id, so the load generator can act as any member
// of the cached data set without reading secrets back out of it. Only their SHA-256 is stored,
// as the server stores them.

export function memberToken(seed: number, memberId: number): string {
  return createHmac('sha256', `siar-scale-bench-${seed}`).update(`member:${memberId}`).digest('base64url');
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

// ---------------------------------------------------------------------------------------------
// The agency.

const DINAS = [
  'Dinas Pendidikan',
  'Dinas Kesehatan',
  'Rumah Sakit Umum Daerah',
  'Dinas Pekerjaan Umum dan Penataan Ruang',
  'Sekretariat Daerah',
  'Dinas Komunikasi dan Informatika',
  'Dinas Perhubungan',
  'Dinas Sosial',
  'Dinas Pertanian',
  'Badan Perencanaan Pembangunan Daerah',
  'Badan Kepegawaian dan Pengembangan SDM',
  'Badan Pengelolaan Keuangan dan Aset Daerah',
  'Dinas Kependudukan dan Pencatatan Sipil',
  'Satuan Polisi Pamong Praja',
  'Dinas Lingkungan Hidup',
  'Dinas Koperasi dan UMKM',
  'Dinas Pariwisata dan Kebudayaan',
  'Inspektorat',
  'Dinas Perumahan dan Kawasan Permukiman',
  'Badan Penanggulangan Bencana Daerah',
  'Dinas Ketahanan Pangan',
  'Dinas Perikanan',
  'Dinas Penanaman Modal dan PTSP',
  'Dinas Tenaga Kerja',
  'Dinas Pemuda dan Olahraga',
];
const KECAMATAN = [
  'Sukamaju',
  'Sindangsari',
  'Cibeureum',
  'Karangsari',
  'Mekarjaya',
  'Sukaresmi',
  'Tanjungsari',
  'Wanasari',
  'Banyuasih',
  'Cikarang',
  'Pasirjambu',
  'Sumberjaya',
  'Kertajaya',
  'Margahayu',
  'Rancabali',
  'Sirnagalih',
  'Ciherang',
  'Jatiluhur',
  'Nagrak',
  'Pangalengan',
  'Cisarua',
  'Lembang',
  'Parongpong',
  'Situraja',
  'Tegalwaru',
];
const FIRST = [
  'Budi',
  'Siti',
  'Agus',
  'Dewi',
  'Eko',
  'Rina',
  'Andi',
  'Sri',
  'Hendra',
  'Wati',
  'Joko',
  'Nur',
  'Rudi',
  'Yanti',
  'Dedi',
  'Fitri',
  'Bambang',
  'Lestari',
  'Irfan',
  'Ratna',
  'Teguh',
  'Maya',
  'Arif',
  'Indah',
  'Wahyu',
  'Putri',
  'Hadi',
  'Sari',
  'Ahmad',
  'Nurul',
];
const LAST = [
  'Santoso',
  'Rahayu',
  'Wijaya',
  'Susanti',
  'Prasetyo',
  'Kurniawan',
  'Hidayat',
  'Saputra',
  'Setiawan',
  'Lestari',
  'Nugroho',
  'Purnama',
  'Siregar',
  'Hasibuan',
  'Pratama',
  'Maharani',
  'Gunawan',
  'Sihombing',
  'Permana',
  'Utami',
  'Firmansyah',
  'Handayani',
  'Syahputra',
  'Wulandari',
];
const TOPICS = [
  'Imunisasi',
  'Stunting',
  'Beasiswa',
  'Pajak Daerah',
  'Jalan Desa',
  'UMKM',
  'Banjir',
  'Pasar Murah',
  'Vaksinasi',
  'Sekolah',
  'Air Bersih',
  'KTP Elektronik',
  'Festival',
  'Kebersihan',
  'Pertanian',
  'Lowongan',
];

export interface Unit {
  /** 1-based; units are inserted in this order, so it is also their id. */
  id: number;
  name: string;
  code: string;
}

export interface Member {
  id: number;
  unit: number;
  nip: string;
  name: string;
  xHandle: string | null;
  createdAt: string;
}

export interface Post {
  id: string;
  unit: number;
  title: string;
  priority: 'normal' | 'high' | 'mandatory';
  publishedMs: number;
  expiresMs: number | null;
  status: 'published' | 'expired' | 'submitted' | 'draft';
}

export interface Agency {
  params: DataParams;
  /** WIB midnight (as UTC ms) starting the first day; the window ends `days` days later. */
  t0: number;
  t1: number;
  units: Unit[];
  members: Member[];
  posts: Post[];
  /** Running sums of member activity (members without events weigh 0). */
  memberCum: Float64Array;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
}

/**
 * The agency as of `anchor` (the moment of generation): the window is the `days` whole WIB days
 * before anchor's WIB day, so "today" is left to the live load of the bench.
 */
export function buildAgency(params: DataParams, anchor: number): Agency {
  const rng = new Rng(params.seed);
  const today = Date.parse(`${wibDay(anchor)}T00:00:00Z`) - WIB_MS;
  const t1 = today;
  const t0 = t1 - params.days * DAY_MS;

  const units: Unit[] = [];
  for (let i = 0; i < params.units; i++) {
    const name =
      i < DINAS.length
        ? DINAS[i]!
        : `Kecamatan ${KECAMATAN[(i - DINAS.length) % KECAMATAN.length]}${i - DINAS.length >= KECAMATAN.length ? ` ${Math.floor((i - DINAS.length) / KECAMATAN.length) + 1}` : ''}`;
    units.push({ id: i + 1, name, code: `UNIT${String(i + 1).padStart(3, '0')}-BENCH` });
  }
  // Unit sizes fall off like a power law: the first (Pendidikan) is ~20× the last kecamatan.
  const unitCum = cumulative(units.map((_, i) => 1 / Math.pow(i + 1, 0.8)));

  const members: Member[] = [];
  const activity = new Float64Array(params.members);
  const nips = new Set<string>();
  for (let i = 0; i < params.members; i++) {
    const id = i + 1;
    const unit = rng.pick(unitCum) + 1;
    const by = 1965 + rng.int(36);
    const ay = Math.min(2025, by + 19 + rng.int(20));
    let nip = '';
    for (let tries = 0; !nip || nips.has(nip); tries++) {
      const bd = new Date(Date.UTC(by, 0, 1) + (rng.int(365) + tries) * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '');
      nip = `${bd}${ay}${String(1 + rng.int(12)).padStart(2, '0')}${1 + rng.int(2)}${String(1 + rng.int(999)).padStart(3, '0')}`;
    }
    nips.add(nip);
    const name = `${rng.of(FIRST)} ${rng.of(LAST)}`;
    const xHandle = rng.next() < 0.25 ? `asn${id}` : null;
    const createdAt = new Date(t0 - (1 + rng.int(200)) * DAY_MS - rng.int(DAY_MS)).toISOString();
    members.push({ id, unit, nip, name, xHandle, createdAt });
    // 12% never share; the rest lognormal: most a little, some a lot.
    activity[i] = rng.next() < 0.12 ? 0 : Math.exp(1.0 * rng.normal());
  }

  // Posts: about eleven a working day over the window and the three days before it, in office
  // hours, fewer at weekends; mostly normal, some high, a few mandatory.
  const span = params.days + 3;
  const dayWeight = (day: number) => {
    const weekday = new Date(t0 + day * DAY_MS + WIB_MS).getUTCDay();
    return weekday === 0 ? 0.25 : weekday === 6 ? 0.4 : 1;
  };
  const postDayCum = cumulative(Array.from({ length: span }, (_, d) => dayWeight(d - 3)));
  const times: number[] = [];
  for (let i = 0; i < params.posts; i++) {
    const day = rng.pick(postDayCum) - 3;
    times.push(t0 + day * DAY_MS + (7 + rng.next() * 9) * 3_600_000);
  }
  times.sort((a, b) => a - b);
  const posts: Post[] = times.map((publishedMs, i) => {
    const unit = rng.next() < 0.3 ? 6 : rng.pick(unitCum) + 1; // Kominfo writes a third of them
    const r = rng.next();
    const priority = r < 0.05 ? 'mandatory' : r < 0.17 ? 'high' : 'normal';
    const title = `${rng.of(TOPICS)} ${i + 1}: informasi ${units[unit - 1]!.name}`;
    // Newest posts stay live for two months after generation, so a cached data set still has a
    // feed; older ones expired ten days after publishing.
    const live = publishedMs >= t1 - 10 * DAY_MS;
    const expiresMs = live ? t1 + 60 * DAY_MS : publishedMs + 10 * DAY_MS;
    return {
      id: `${wibDay(publishedMs)}-${slug(title)}`,
      unit,
      title,
      priority,
      publishedMs,
      expiresMs,
      status: live ? 'published' : 'expired',
    };
  });
  // A few posts still in the workflow, for the studio's list.
  for (let i = 0; i < 40; i++) {
    const unit = rng.pick(unitCum) + 1;
    const title = `Draf ${i + 1} ${rng.of(TOPICS)} ${units[unit - 1]!.name}`;
    const at = t1 - rng.int(5 * DAY_MS);
    posts.push({
      id: `${wibDay(at)}-${slug(title)}`,
      unit,
      title,
      priority: 'normal',
      publishedMs: at,
      expiresMs: null,
      status: i % 2 ? 'submitted' : 'draft',
    });
  }
  return { params, t0, t1, units, members, posts, memberCum: cumulative(activity) };
}

// ---------------------------------------------------------------------------------------------
// Events.

export const PLATFORMS = ['facebook', 'whatsapp', 'x', 'instagram', 'telegram', 'threads', 'other'] as const;
const PLATFORM_CUM = cumulative([0.38, 0.3, 0.2, 0.05, 0.04, 0.02, 0.01]);
// Share of the day's events per WIB hour: the morning push, lunch, the evening.
const HOUR_CUM = cumulative([0.2, 0.1, 0.1, 0.1, 0.3, 1, 3, 6, 8, 6, 5, 4, 5, 4, 3, 3, 3, 2.5, 3, 4, 4, 3, 1.5, 0.6]);
const PRIORITY_WEIGHT = { normal: 1, high: 2, mandatory: 6 } as const;
const ITEM_HALF_LIFE_DAYS = 1.2;
const ITEM_MAX_AGE_MS = 10 * DAY_MS;

export interface ShareRow {
  id: string;
  member: number;
  unit: number;
  item: string;
  platform: string;
  action: 'inserted' | 'posted' | 'intent_opened' | 'copied';
  atMs: number;
  at: string;
  postUrl: string | null;
  received: string;
  receivedMs: number;
  day: string;
  self: 0 | 1;
  verification: string | null;
}

/** What the generator itself counted for a few members and items, to check the rollups against. */
export interface Expectation {
  members: Map<number, { events: number; pairs: Map<string, number> }>;
  items: Map<string, Set<string>>;
  actions: Record<string, number>;
  platforms: Record<string, number>;
}

export function sampleMembers(agency: Agency, n = 200): number[] {
  const rng = new Rng(agency.params.seed + 17);
  const out = new Set<number>();
  while (out.size < Math.min(n, agency.members.length)) out.add(1 + rng.int(agency.members.length));
  return [...out].sort((a, b) => a - b);
}

export function sampleItems(agency: Agency, n = 10): string[] {
  const rng = new Rng(agency.params.seed + 23);
  const published = agency.posts.filter((p) => p.status === 'published' || p.status === 'expired');
  const out = new Set<string>();
  while (out.size < Math.min(n, published.length)) out.add(rng.of(published).id);
  return [...out].sort();
}

/**
 * The events, one array per WIB day of reception, each in order of `received_at` (the order a
 * server would have stored them). Exactly `params.events` in all.
 */
export function* shareDays(agency: Agency, expect?: Expectation): Generator<ShareRow[]> {
  const { params, t0, t1, members, posts } = agency;
  const rng = new Rng(params.seed * 7919 + 1);
  const days = params.days;
  // Day quotas: fewer at weekends, and a slow rise over the window as more members take it up.
  const weights = Array.from({ length: days }, (_, d) => {
    const weekday = new Date(t0 + d * DAY_MS + WIB_MS).getUTCDay();
    return (weekday === 0 ? 0.45 : weekday === 6 ? 0.55 : 1) * (0.7 + (0.6 * d) / days);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => Math.floor((params.events * w) / total));
  let short = params.events - quotas.reduce((a, b) => a + b, 0);
  for (let d = days - 1; short > 0; d = (d - 1 + days) % days, short--) quotas[d]!++;

  const published = posts.filter((p) => p.status === 'published' || p.status === 'expired');
  const buckets = new Map<number, ShareRow[]>();
  const put = (row: ShareRow) => {
    const d = Math.floor((row.receivedMs - t0) / DAY_MS);
    let list = buckets.get(d);
    if (!list) buckets.set(d, (list = []));
    list.push(row);
  };
  const sample = expect?.members;
  const sampleItems = expect?.items;
  const note = (row: ShareRow) => {
    if (!expect) return;
    expect.actions[row.action] = (expect.actions[row.action] ?? 0) + 1;
    expect.platforms[row.platform] = (expect.platforms[row.platform] ?? 0) + 1;
    const m = sample?.get(row.member);
    if (m) {
      m.events++;
      if (row.action === 'posted') {
        const key = `${row.item}\u0000${row.platform}`;
        m.pairs.set(key, Math.min(m.pairs.get(key) ?? 1, row.self));
      }
    }
    if (row.action === 'posted') sampleItems?.get(row.item)?.add(`${row.member}\u0000${row.platform}`);
  };

  let first = 0; // first post still young enough to be shared
  for (let d = 0; d < days; d++) {
    const dayStart = t0 + d * DAY_MS;
    let left = quotas[d]!;
    // Items by hour: weights recomputed once an hour of the day (they change slowly).
    for (let h = 0; h < 24 && left > 0; h++) {
      const hourStart = dayStart + h * 3_600_000;
      while (first < published.length && published[first]!.publishedMs < hourStart - ITEM_MAX_AGE_MS) first++;
      let last = first;
      while (last < published.length && published[last]!.publishedMs < hourStart) last++;
      const young = published.slice(first, last);
      const cum = cumulative(
        young.map((p) => PRIORITY_WEIGHT[p.priority] * Math.pow(0.5, (hourStart - p.publishedMs) / DAY_MS / ITEM_HALF_LIFE_DAYS)),
      );
      // This hour's share of the day's quota.
      const hourShare = (HOUR_CUM[h]! - (h ? HOUR_CUM[h - 1]! : 0)) / HOUR_CUM[23]!;
      let hourLeft = h === 23 ? left : Math.min(left, Math.round(quotas[d]! * hourShare));
      if (young.length === 0) continue;
      while (hourLeft > 0) {
        const member = members[rng.pick(agency.memberCum)]!;
        const post = young[rng.pick(cum)]!;
        const platform = PLATFORMS[rng.pick(PLATFORM_CUM)]!;
        const start = hourStart + rng.int(3_600_000);
        const session: { action: ShareRow['action']; atMs: number; self: boolean }[] = [];
        let postChance: number;
        let selfChance: number;
        if (platform === 'whatsapp') {
          session.push({ action: rng.next() < 0.5 ? 'copied' : 'intent_opened', atMs: start, self: false });
          postChance = 0.85;
          selfChance = 0.9;
        } else if (platform === 'x') {
          session.push({ action: rng.next() < 0.3 ? 'intent_opened' : 'inserted', atMs: start, self: false });
          postChance = 0.7;
          selfChance = 0.05;
        } else if (platform === 'facebook') {
          session.push({ action: 'inserted', atMs: start, self: false });
          postChance = 0.75;
          selfChance = 0.1;
        } else {
          session.push({ action: 'copied', atMs: start, self: false });
          postChance = 0.6;
          selfChance = 0.6;
        }
        if (rng.next() < postChance) {
          const at = start + 20_000 + rng.exp(90_000);
          const self = rng.next() < selfChance;
          session.push({ action: 'posted', atMs: at, self });
          // The same item on the same platform again, hours or days later.
          if (rng.next() < 0.12) {
            const again = at + 2 * 3_600_000 + rng.next() * 4 * DAY_MS;
            if (again < t1 - 60_000) session.push({ action: 'posted', atMs: again, self: rng.next() < selfChance });
          }
        }
        for (const e of session) {
          if (hourLeft === 0) break;
          hourLeft--;
          left--;
          let postUrl: string | null = null;
          let verification: string | null = null;
          if (e.action === 'posted' && !e.self) {
            if (platform === 'x' && rng.next() < 0.65) {
              postUrl = `https://x.com/${member.xHandle ?? `akun${member.id}`}/status/${1_800_000_000_000_000_000n + BigInt(rng.u32()) * 4_294_967_296n + BigInt(rng.u32())}`;
              const r = rng.next();
              verification = member.xHandle ? (r < 0.85 ? 'verified' : r < 0.93 ? 'unverified' : 'gone') : 'unverified';
            } else if (platform === 'facebook' && rng.next() < 0.4) {
              postUrl = `https://www.facebook.com/asn.${member.id}/posts/pfbid0${rng.u32().toString(36)}${rng.u32().toString(36)}`;
            }
          }
          // Most events reach the tally within seconds; some wait hours (offline, browser closed).
          const delay = rng.next() < 0.85 ? 500 + rng.exp(20_000) : rng.exp(2 * 3_600_000);
          const receivedMs = Math.min(e.atMs + delay, t1 - 1);
          const at = wib(e.atMs);
          const row: ShareRow = {
            id: uuid(rng),
            member: member.id,
            unit: member.unit,
            item: post.id,
            platform,
            action: e.action,
            atMs: e.atMs,
            at,
            postUrl,
            received: new Date(receivedMs).toISOString(),
            receivedMs,
            day: at.slice(0, 10),
            self: e.self ? 1 : 0,
            verification,
          };
          note(row);
          put(row);
        }
      }
    }
    const ready = buckets.get(d) ?? [];
    buckets.delete(d);
    ready.sort((a, b) => a.receivedMs - b.receivedMs);
    yield ready;
  }
  // Events of the last day received "later" were clamped into the window, so nothing is left.
  for (const [, rest] of buckets) yield rest.sort((a, b) => a.receivedMs - b.receivedMs);
}

export function newExpectation(agency: Agency): Expectation {
  return {
    members: new Map(sampleMembers(agency).map((id) => [id, { events: 0, pairs: new Map() }])),
    items: new Map(sampleItems(agency).map((id) => [id, new Set<string>()])),
    actions: {},
    platforms: {},
  };
}
