import { SLUG } from '../../utils/protocol/studio';
import type { Queryable } from '../db/sql';
import { slugify } from '../tally/members';

// The campaigns an admin keeps: a post picks one from this list; the feed carries its slug and
// its display name, and people only ever see the name ("Cegah Stunting").

export interface Campaign {
  slug: string;
  name: string;
  archived_at: string | null;
}

/** Why a campaign cannot be made: its id is taken (409), or the name or id is malformed (400). */
export class CampaignError extends Error {
  constructor(
    readonly code: 'campaign_exists' | 'bad_campaign',
    message: string,
  ) {
    super(message);
  }
}

export async function listCampaigns(q: Queryable, withArchived = false): Promise<Campaign[]> {
  return q.all<Campaign>(`SELECT slug, name, archived_at FROM campaigns WHERE ($1 = 1 OR archived_at IS NULL) ORDER BY name`, [
    withArchived ? 1 : 0,
  ]);
}

export async function createCampaign(q: Queryable, name: string, slug = slugify(name), now = Date.now()): Promise<Campaign> {
  const clean = name.trim().replace(/\s+/g, ' ');
  if (!clean || clean.length > 200) throw new CampaignError('bad_campaign', 'a campaign name is 1–200 characters');
  if (!SLUG.test(slug)) throw new CampaignError('bad_campaign', 'a campaign id is lower-case letters, digits and dashes');
  const taken = await q.get('SELECT slug FROM campaigns WHERE slug = $1', [slug]);
  if (taken) throw new CampaignError('campaign_exists', `campaign ${slug} exists`);
  await q.run('INSERT INTO campaigns (slug, name, created_at) VALUES ($1, $2, $3)', [slug, clean, new Date(now).toISOString()]);
  return { slug, name: clean, archived_at: null };
}

export async function renameCampaign(q: Queryable, slug: string, name: string): Promise<void> {
  await q.run('UPDATE campaigns SET name = $2 WHERE slug = $1', [slug, name.trim().replace(/\s+/g, ' ')]);
}

/** Archived campaigns stay on the posts that have them; new posts cannot pick them. */
export async function setCampaignArchived(q: Queryable, slug: string, archived: boolean, now = Date.now()): Promise<boolean> {
  return (
    (await q.run('UPDATE campaigns SET archived_at = $2 WHERE slug = $1', [slug, archived ? new Date(now).toISOString() : null]))
      .changes === 1
  );
}
