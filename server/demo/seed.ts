import type { Role } from '../../utils/protocol/studio';
import { lockFor } from '../db/partitions';
import type { Database } from '../db/sql';
import { createAccount, accountByUsername } from '../studio/accounts';
import { audit, SYSTEM } from '../studio/audit';
import { createCampaign } from '../studio/campaigns';
import type { MediaStore } from '../studio/media-store';
import { DEMO_ENROLL_CODES } from '../tally/codes';
import { ensureUnit, seedCodes } from '../tally/members';
import { DEMO_POSTS, PUBLISHER } from './feed';
import { demoPictures } from './pictures';

// The demo agency (`npm start`): Kabupaten Contoh's units and enrolment codes, one studio account
// of each role, its campaigns, and its posts already published, so the extension has a feed and
// the studio has a history from the first minute. Only on an empty database, only as a demo.

export interface DemoAccount {
  user: string;
  password: string;
  role: Role;
  unit?: string;
  name: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { user: 'admin', password: 'siar-demo-satu', role: 'admin', name: 'Admin Diskominfo', unit: 'Dinas Komunikasi dan Informatika' },
  { user: 'penyetuju', password: 'siar-demo-dua', role: 'approver', name: 'Rina Penyetuju', unit: 'Dinas Komunikasi dan Informatika' },
  { user: 'editor.dinkes', password: 'siar-demo-tiga', role: 'editor', name: 'Dewi Editor Dinkes', unit: 'Dinas Kesehatan' },
  {
    user: 'editor.kominfo',
    password: 'siar-demo-empat',
    role: 'editor',
    name: 'Budi Editor Kominfo',
    unit: 'Dinas Komunikasi dan Informatika',
  },
];

export const DEMO_CAMPAIGNS: Readonly<Record<string, string>> = {
  'asn-bersuara': 'ASN Bersuara',
  'cegah-stunting': 'Cegah Stunting',
  'pekan-imunisasi': 'Pekan Imunisasi',
  beasiswa: 'Beasiswa Contoh Cerdas',
  'ketahanan-pangan': 'Ketahanan Pangan',
  'umkm-naik-kelas': 'UMKM Naik Kelas',
};

export { PUBLISHER as DEMO_PUBLISHER };

/** Seeds the demo into an empty database; does nothing when the studio already has accounts. */
export async function seedDemo(db: Database, media: MediaStore, now = Date.now()): Promise<boolean> {
  if (await accountByUsername(db, DEMO_ACCOUNTS[0]!.user)) return false;
  const pictures = demoPictures();
  return db.tx(async (q) => {
    // Several processes may start the demo at once: one seeds, the others find it done.
    await lockFor(q, 'siar-first-start');
    if (await accountByUsername(q, DEMO_ACCOUNTS[0]!.user)) return false;
    // Pictures go through the upload path, as staff's would.
    const uploaded = new Map<string, string>();
    for (const post of DEMO_POSTS) {
      if (uploaded.has(post.picture)) continue;
      const row = await media.addImage(pictures.get(`${post.picture}.png`)!, 'image/png', null, now, q);
      uploaded.set(post.picture, row.id);
    }
    await seedCodes(q, DEMO_ENROLL_CODES, now);
    const ids = new Map<string, number>();
    for (const account of DEMO_ACCOUNTS) ids.set(account.user, (await createAccount(q, account, now)).id);
    for (const [slug, name] of Object.entries(DEMO_CAMPAIGNS)) await createCampaign(q, name, slug, now);
    const approver = ids.get('penyetuju')!;
    for (const post of DEMO_POSTS) {
      const unit = await ensureUnit(q, post._siar.agency!.name, now);
      const author =
        post._siar.agency!.name === 'Dinas Kesehatan'
          ? ids.get('editor.dinkes')!
          : post._siar.agency!.name === 'Dinas Komunikasi dan Informatika'
            ? ids.get('editor.kominfo')!
            : ids.get('admin')!;
      const captions: Record<string, string[]> = {};
      for (const [platform, text] of Object.entries(post._siar.captions ?? {})) captions[platform] = Array.isArray(text) ? text : [text];
      // Whole minutes: the feed reads naturally and stays the same within a run.
      const published = new Date(Math.floor((now - post.age) / 60_000) * 60_000).toISOString();
      const expires = post.expiresIn === undefined ? null : new Date(Math.floor((now + post.expiresIn) / 60_000) * 60_000).toISOString();
      const status = expires !== null && Date.parse(expires) <= now ? 'expired' : 'approved';
      const id = `kab-contoh-${post.slug}`;
      await q.run(
        `INSERT INTO posts (id, unit_id, author_id, status, version, title, body, captions, hashtags, url, media, campaign, priority,
           publish_at, expires_at, created_at, updated_at, approved_by, approved_at, published_at)
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, NULL, $9, $10, $11, $12, $13, $12, $12, $14, $12, $15)`,
        [
          id,
          unit.id,
          author,
          status,
          post.title ?? id,
          post.content_text ?? post.summary ?? '',
          JSON.stringify(captions),
          JSON.stringify(post._siar.hashtags ?? []),
          JSON.stringify([uploaded.get(post.picture)!]),
          post._siar.campaign ?? null,
          post._siar.priority ?? 'normal',
          published,
          expires,
          approver,
          published,
        ],
      );
      if (status === 'expired') {
        await q.run('INSERT INTO published_items (item_id, first_published_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, published]);
      }
    }
    await audit(
      q,
      SYSTEM,
      { action: 'demo_seed', subject: 'demo', after: { posts: DEMO_POSTS.length, accounts: DEMO_ACCOUNTS.map((a) => a.user) } },
      now,
    );
    return true;
  });
}
