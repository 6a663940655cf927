import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFeedState } from '@/utils/feed/refresh';
import { signatureUrl, verifyFeedSignature } from '@/utils/feed/signature';
import { generateSigningKey, signFeed, verifyFeed } from '../../server/signing';
import { feedWith, item } from './feeds';

// Signed feeds against a real local server: node:crypto signs (as the agency's tools do),
// WebCrypto verifies (as the extension does).
const key = generateSigningKey();
const other = generateSigningKey();
const good = Buffer.from(JSON.stringify(feedWith([item('a'), item('b')])));
let feed = good;
let sig: string | undefined = signFeed(good, key);
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/siar/feed.json') return void res.writeHead(200, { etag: `"${feed.length}-${feed[20]}"` }).end(feed);
    if (req.url === '/siar/feed.json.sig' && sig !== undefined) return void res.end(sig);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siar/feed.json`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('signed feeds', () => {
  it('agency tools and extension agree on the signature', async () => {
    const s = signFeed(good, key);
    expect(verifyFeed(good, s, key.publicKey)).toBe(true);
    expect(await verifyFeedSignature(good, s, key.publicKey)).toBe(true);
    expect(await verifyFeedSignature(good, s, other.publicKey)).toBe(false);
    const tampered = Buffer.from(good);
    const at = tampered.length - 3;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    expect(await verifyFeedSignature(tampered, s, key.publicKey)).toBe(false);
    expect(await verifyFeedSignature(good, 'not base64!', key.publicKey)).toBe(false);
    expect(key.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signatureUrl('https://a.example/siar/feed.json?v=2')).toBe('https://a.example/siar/feed.json.sig');
  });

  it('uses a feed whose signature verifies; refuses a tampered or unsigned one and keeps the last good copy', async () => {
    feed = good;
    sig = signFeed(good, key);
    const s1 = await refreshFeedState(base, undefined, 1, { publicKey: key.publicKey });
    expect(s1.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(s1.verifiedWith).toBe(key.publicKey);

    // A hijacked server: new content, the old signature.
    feed = Buffer.from(JSON.stringify(feedWith([item('judi-online', { title: 'Situs judi' })])));
    const s2 = await refreshFeedState(base, s1, 2, { publicKey: key.publicKey });
    expect(s2.lastError).toMatchObject({ code: 'bad_signature' });
    expect(s2.items.map((i) => i.id)).toEqual(['a', 'b']);

    // Signed with someone else's key.
    sig = signFeed(feed, other);
    expect((await refreshFeedState(base, s1, 3, { publicKey: key.publicKey })).lastError).toMatchObject({ code: 'bad_signature' });

    // No signature at all.
    sig = undefined;
    const s4 = await refreshFeedState(base, s1, 4, { publicKey: key.publicKey });
    expect(s4.lastError).toMatchObject({ code: 'unsigned' });
    expect(s4.items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('does not keep a copy that was never verified with the key now set', async () => {
    feed = Buffer.from(JSON.stringify(feedWith([item('unverified')])));
    sig = undefined;
    const before = await refreshFeedState(base, undefined, 1);
    expect(before.items).toHaveLength(1);
    const after = await refreshFeedState(base, before, 2, { publicKey: key.publicKey });
    expect(after.items).toHaveLength(0);
    expect(after.lastError).toMatchObject({ code: 'unsigned' });
  });

  it('without a key, signatures are not asked for', async () => {
    feed = good;
    sig = 'garbage';
    const s = await refreshFeedState(base, undefined, 1);
    expect(s.items).toHaveLength(2);
    expect(s.lastError).toBeUndefined();
  });
});

describe('npm run agency -- keygen / sign', () => {
  it('makes a key pair and a signature the extension verifies', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'siar-agency-'));
    try {
      const keyFile = path.join(dir, 'key.pem');
      const feedFile = path.join(dir, 'feed.json');
      const cli = (...args: string[]) =>
        execFileSync(process.execPath, ['--import', 'tsx', 'server/agency-cli.ts', ...args], { encoding: 'utf8' });
      const publicKey = /feed public key: ([A-Za-z0-9_-]{43})/.exec(cli('keygen', '--out', keyFile))![1]!;
      expect(() => cli('keygen', '--out', keyFile)).toThrow();
      writeFileSync(feedFile, good);
      cli('sign', feedFile, '--key', keyFile);
      const sig = readFileSync(`${feedFile}.sig`, 'utf8');
      expect(await verifyFeedSignature(good, sig, publicKey)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
