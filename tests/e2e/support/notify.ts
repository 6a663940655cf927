// Feed posts and working hours for the notification tests.
import type { Item } from '@/utils/protocol/item';

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (minutes: number) => {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
};
const utcMinute = (now: number) => new Date(now).getUTCHours() * 60 + new Date(now).getUTCMinutes();

/** Working hours (UTC) that hold `now`: an hour either side. */
export function hoursAround(now: number): string {
  const m = utcMinute(now);
  return `${hhmm(m - 60)}-${hhmm(m + 60)}`;
}

/** Working hours (UTC) that do not hold `now`: they start two hours later. */
export function hoursAway(now: number): string {
  const m = utcMinute(now);
  return `${hhmm(m + 120)}-${hhmm(m + 180)}`;
}

/** A mandatory post published a minute ago, as the agency's feed would carry it. */
export function newMandatoryPost(base: string, slug: string, title: string): Item {
  return {
    id: `kab-contoh-${slug}`,
    url: `${base}/berita/${slug}`,
    title,
    content_text: `${title}. Semua ASN diminta membagikan.`,
    date_published: new Date(Date.now() - 60_000).toISOString(),
    _siar: { priority: 'mandatory', agency: { id: 'diskominfo', name: 'Dinas Komunikasi dan Informatika' }, hashtags: ['KabContoh'] },
  } as Item;
}
