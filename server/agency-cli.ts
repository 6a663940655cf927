// The agency's tools:
//   npm run agency -- keygen [--out key.pem]            an Ed25519 key pair for signing the feed
//   npm run agency -- sign feed.json [--key key.pem]    feed.json.sig for a feed (offline signing)
//   npm run agency -- migrate --to postgres://… [--from siar.db]   copy a SQLite database to PostgreSQL
//   npm run agency -- archive --before YYYY-MM --out DIR [--db …]  move old share events to CSV files
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFeedText } from '../utils/protocol/feed';
import { archiveBefore } from './db/archive';
import { copyDatabase } from './db/copy';
import { isPostgresUrl, openDatabase } from './db/database';
import { redactUrl } from './db/postgres';
import { DEFAULT_DB, DEFAULT_SIGNING_KEY } from './env';
import { generateSigningKey, privateKeyPem, signFeed, signingKeyFromPem } from './signing';

function option(args: string[], name: string, fallback?: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

const USAGE = `Siar agency tools:
  keygen [--out key.pem]                       default ${DEFAULT_SIGNING_KEY}
  sign <feed.json> [--key key.pem]             checks the feed, then writes feed.json.sig
  migrate --to postgres://… [--from siar.db]   copies a SQLite database into PostgreSQL (safe to run again)
  archive --before YYYY-MM --out DIR [--db …]  moves share events before that month into DIR as .csv.gz`;

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'keygen') {
    const out = resolve(option(args, '--out', process.env.SIAR_SIGNING_KEY ?? DEFAULT_SIGNING_KEY)!);
    if (existsSync(out)) throw new Error(`${out} already exists; refusing to overwrite a key`);
    const key = generateSigningKey();
    writeFileSync(out, privateKeyPem(key), { mode: 0o600 });
    console.log(`Kunci privat / private key: ${out} (simpan rahasia / keep it secret)`);
    console.log(`Kunci publik feed / feed public key: ${key.publicKey}`);
  } else if (command === 'sign') {
    const keyFile = resolve(option(args, '--key', process.env.SIAR_SIGNING_KEY ?? DEFAULT_SIGNING_KEY)!);
    const feed = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--key');
    if (!feed) throw new Error('usage: sign <feed.json> [--key key.pem]');
    const bytes = readFileSync(feed);
    // Never sign what the extension would refuse: a slip in the JSON is found here, not by every ASN.
    const parsed = parseFeedText(bytes.toString('utf8'));
    if (!parsed.ok)
      throw new Error(
        `${feed} is not a valid feed (${parsed.problem.kind}${'detail' in parsed.problem ? `: ${parsed.problem.detail}` : ''}); not signed`,
      );
    if (parsed.feed.dropped > 0)
      throw new Error(`${feed}: ${parsed.feed.dropped} post(s) break the protocol and would be dropped; not signed`);
    if (!existsSync(keyFile)) throw new Error(`no key at ${keyFile}: make one with \`npm run agency -- keygen\`, or give --key`);
    const key = signingKeyFromPem(readFileSync(keyFile, 'utf8'));
    writeFileSync(`${feed}.sig`, signFeed(bytes, key));
    console.log(`${feed}.sig ditulis / written: ${parsed.feed.items.length} postingan, kunci publik / public key ${key.publicKey}`);
  } else if (command === 'migrate') {
    const to = option(args, '--to');
    if (!to || !isPostgresUrl(to)) throw new Error('usage: migrate --to postgres://… [--from siar.db]');
    const from = resolve(option(args, '--from', process.env.SIAR_DB ?? DEFAULT_DB)!);
    if (!existsSync(from)) throw new Error(`no SQLite database at ${from}`);
    console.log(`Menyalin / copying ${from} → ${redactUrl(to)}`);
    const source = await openDatabase(from);
    const target = await openDatabase(to);
    try {
      const report = await copyDatabase(source, target, (line) => console.log(`  ${line}`));
      for (const s of report.sums) console.log(`  ${s.source === s.target ? 'ok' : '≠ '} ${s.sql}: ${s.source} → ${s.target}`);
      if (!report.ok) throw new Error('counts differ between the two databases; see above');
      console.log('Selesai: jumlah dan total sama di kedua basis data / done: counts and sums equal on both sides.');
      console.log('Salin juga folder media / copy the media folder too (SIAR_MEDIA_DIR).');
    } finally {
      await source.close();
      await target.close();
    }
  } else if (command === 'archive') {
    const before = option(args, '--before');
    const out = option(args, '--out');
    if (!before || !out) throw new Error('usage: archive --before YYYY-MM --out DIR [--db siar.db | postgres://…]');
    const location = option(args, '--db', process.env.SIAR_DATABASE_URL || process.env.SIAR_DB || DEFAULT_DB)!;
    const db = await openDatabase(isPostgresUrl(location) ? location : resolve(location));
    try {
      for (const r of await archiveBefore(db, before, resolve(out))) console.log(`${r.file}: ${r.rows} peristiwa / events`);
    } finally {
      await db.close();
    }
  } else {
    console.log(USAGE);
    process.exit(command ? 2 : 0);
  }
} catch (error) {
  console.error(`Siar: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
