// The site registry (utils/sites/): what each site file declares holds together, and no other
// source names a site, so a new site is the files docs/architecture.md lists and nothing else.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import en from '../../public/_locales/en/messages.json';
import id from '../../public/_locales/id/messages.json';
import { ItemSchema } from '@/utils/protocol/feed';
import { PLATFORMS } from '@/utils/protocol/platforms';
import { COMPOSER_SITES, ONE_CLICK_SITES, SITES } from '@/utils/sites/registry';
import type { Site, SiteAdapter } from '@/utils/sites/types';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const siteFiles = readdirSync(path.join(ROOT, 'utils/sites')).filter((f) => f.endsWith('.site.ts'));

async function siteModule(siteId: string): Promise<{ site: Site; adapter?: SiteAdapter }> {
  return (await import(`../../utils/sites/${siteId}.site.ts`)) as { site: Site; adapter?: SiteAdapter };
}

describe('the site registry', () => {
  it('holds one site per *.site.ts file, named by its id, each a platform of the protocol', () => {
    expect(SITES.map((s) => `${s.id}.site.ts`).sort()).toEqual([...siteFiles].sort());
    expect(new Set(SITES.map((s) => s.id)).size).toBe(SITES.length);
    for (const s of SITES) {
      expect(PLATFORMS).toContain(s.id);
      expect(s.id).not.toBe('other');
    }
  });

  it('lists sites in the protocol order; X and Facebook have composers, and one click opens them', () => {
    const order = SITES.map((s) => PLATFORMS.indexOf(s.id));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(SITES.map((s) => s.id)).toEqual(expect.arrayContaining(['x', 'facebook', 'whatsapp']));
    expect(COMPOSER_SITES.map((s) => s.id)).toEqual(expect.arrayContaining(['x', 'facebook']));
    expect(ONE_CLICK_SITES.map((s) => s.id)).toEqual(expect.arrayContaining(['x', 'facebook']));
  });

  it('gives each composer site its adapter, its content script and its e2e fixture', async () => {
    for (const s of SITES) {
      const mod = await siteModule(s.id);
      expect(mod.site).toBe(s);
      if (s.hosts.length === 0) {
        expect(mod.adapter, s.id).toBeUndefined();
        continue;
      }
      expect(mod.adapter?.site, s.id).toBe(s);
      const entry = path.join(ROOT, 'entrypoints', `${s.id}.content`, 'index.ts');
      expect(existsSync(entry), rel(entry)).toBe(true);
      expect(readFileSync(entry, 'utf8')).toContain(`@/utils/sites/${s.id}.site`);
      expect(existsSync(path.join(ROOT, 'tests/fixtures', s.id, 'fixture.ts')), `tests/fixtures/${s.id}/fixture.ts`).toBe(true);
    }
  });

  it('opens a one-click share on a page its content script runs on', () => {
    for (const s of ONE_CLICK_SITES) expect(s.hosts, s.id).toContain(new URL(s.composerUrl!).host);
  });

  it('has the words each site names in both languages', () => {
    for (const s of SITES) {
      const keys: string[] = [s.share.label, s.share.linkOnly?.hint, s.textLimit?.counter].filter((k) => k !== undefined);
      for (const k of keys) {
        expect(Object.hasOwn(en, k), `en ${k}`).toBe(true);
        expect(Object.hasOwn(id, k), `id ${k}`).toBe(true);
      }
    }
  });
});

/** What names a site in code: its id as a whole string, or one of its hosts or link-share hosts. */
function siteTerms(): { ids: Set<string>; hosts: RegExp } {
  const item = ItemSchema.parse({ id: 'a', url: 'https://kab.example/a' });
  const hosts = new Set<string>();
  for (const s of SITES) {
    for (const h of s.hosts) hosts.add(h).add(h.replace(/^(www|web|m|mobile)\./, ''));
    if (s.composerUrl) hosts.add(new URL(s.composerUrl).host);
    const intent = s.share.intentUrl(item, 'teks');
    if (intent) hosts.add(new URL(intent).host);
  }
  const escaped = [...hosts].map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { ids: new Set(SITES.map((s) => s.id)), hosts: new RegExp(`(?<![\\w.-])(${escaped.join('|')})(?![\\w-])`, 'i') };
}

/** The string, template and regular-expression literals of a file, with their lines: what code says, not comments. */
function literals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      // A pattern names a host with its dots escaped.
      out.push({ text: node.text.replace(/\\(.)/g, '$1'), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isJsxText(node)) {
      out.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    } else if (ts.isTemplateExpression(node)) {
      for (const part of [node.head, ...node.templateSpans.map((s) => s.literal)]) {
        out.push({ text: part.text, line: source.getLineAndCharacterOfPosition(part.getStart()).line + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

describe('no file outside the registry names a site', () => {
  // The site files themselves, the protocol's list of platforms (which the registry draws on),
  // each site's own content script and e2e fixture, and the words of the locales may.
  const allowed = (file: string) =>
    /^utils\/sites\/[^/]+\.site\.ts$/.test(file) || file === 'utils/protocol/platforms.ts' || /^entrypoints\/[^/]+\.content\//.test(file);
  const code = [
    ...['entrypoints', 'components', 'utils'].flatMap((d) => walk(path.join(ROOT, d))),
    path.join(ROOT, 'wxt.config.ts'),
    path.join(ROOT, 'bench/bundle-size.ts'),
    ...walk(path.join(ROOT, 'tests/e2e/support')),
  ]
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .filter((f) => !allowed(rel(f)));

  it('in code: no site id as a string, no site host in a string or pattern', () => {
    const { ids, hosts } = siteTerms();
    const hits: string[] = [];
    for (const file of code) {
      // Support for tests of particular sites: the fixture APIs' types and the harness's probe.
      if (/^tests\/e2e\/support\/(fixture-api|probe-extension)\.ts$/.test(rel(file))) continue;
      for (const { text, line } of literals(file)) {
        if (ids.has(text) || hosts.test(text)) hits.push(`${rel(file)}:${line}: ${JSON.stringify(text)}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('in styles: no class for one site', () => {
    const { ids } = siteTerms();
    const pattern = new RegExp(`[.#][\\w-]*\\b(${[...ids].join('|')})\\b[\\w-]*`);
    const hits = walk(path.join(ROOT, 'components'))
      .filter((f) => f.endsWith('.css'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((l, i) => [l, i] as const)
          .filter(([l]) => pattern.test(l.replace(/\/\*.*?\*\//g, '')))
          .map(([l, i]) => `${rel(f)}:${i + 1}: ${l.trim()}`),
      );
    expect(hits).toEqual([]);
  });

  it('catches a site named outside the registry', () => {
    const { ids, hosts } = siteTerms();
    expect(ids.has('facebook')).toBe(true);
    expect(hosts.test('https://x.com/compose/post')).toBe(true);
    expect(hosts.test('https://wa.me/?text=')).toBe(true);
    expect(hosts.test('https://box.com/')).toBe(false);
  });
});
