// @vitest-environment happy-dom
// Fuzz suite, part 2: no feed string ever becomes markup in the popup card (PostCard) or the
// composer panel (Panel). Items are generated with hostile markup in every free-text field and in
// the URLs, go through the feed parser as the extension would get them, and are rendered with
// preact; the DOM must hold only what the components create, with every feed string as text.
// Deterministic: FUZZ_SEED (printed at the end), fixed runs (SIAR_FUZZ_SEED / SIAR_FUZZ_SCALE to explore). i18n is the stub from setup.ts
// (getMessage answers the key joined with its substitutions).
import fc from 'fast-check';
import { h, render } from 'preact';
import { afterAll, describe, expect, it } from 'vitest';
import { Panel } from '@/components/Panel';
import { PostCard } from '@/components/PostCard';
import { composeFor, variantCount } from '@/utils/compose';
import { panelItems } from '@/utils/feed/panel';
import { itemMarksOf, platformLines, statesFrom } from '@/utils/history/share-state';
import { PLATFORMS } from '@/utils/protocol/platforms';
import type { ShareAction } from '@/utils/protocol/tally';
import { siteById } from '@/utils/sites/registry';
import type { PanelItem } from '@/utils/messages/replies';
import { parseFeedText, type Item } from '@/utils/protocol/feed';
import { FUZZ_SEED, envelopeArb, runs, validItemArb } from './fuzz/arbitraries';

const RUNS = { postCard: runs(600), panel: runs(600) } as const;

const stats = { feeds: 0, cards: 0, panelItems: 0, elements: 0, hostileStrings: 0, propertiesPassed: 0 };
const started = performance.now();
const startedCpu = process.cpuUsage();

// What the components themselves create. Anything else in the DOM came from a feed string.
const POSTCARD_TAGS = new Set(['article', 'img', 'div', 'h2', 'span', 'p', 'button', 'ul', 'li']);
const PANEL_TAGS = new Set(['div', 'h2', 'button', 'label', 'span', 'input', 'p', 'ul', 'li', 'h3', 'img']);
const ATTRIBUTES = new Set([
  'class',
  'id',
  'src',
  'alt',
  'loading',
  'decoding',
  'aria-expanded',
  'aria-controls',
  'data-platform',
  'referrerpolicy',
  'aria-labelledby',
  'aria-describedby',
  'aria-label',
  'data-item-id',
  'type',
  'role',
  'placeholder',
  'disabled',
  'value',
]);
const MARKUP = /<\s*\/?\s*[a-z!]|javascript:|on[a-z]+\s*=/i;

const hostileItems = fc.array(validItemArb({ hostile: 12, longTokens: 20 }), { minLength: 1, maxLength: 6 });
/** Ids that name a property of Object.prototype ("constructor", "toString", …) are included. */
const panelSafeItems = hostileItems;

/** The items as the extension holds them: through a served feed and the parser. */
function throughParser(env: Record<string, unknown>, items: Item[]): Item[] {
  stats.feeds++;
  const r = parseFeedText(JSON.stringify({ ...env, items }));
  expect(r.ok, 'a valid hostile feed was refused').toBe(true);
  if (!r.ok) return [];
  // Valid items all survive (first id wins).
  const firstIds = [...new Set(items.map((i) => i.id))];
  expect(r.feed.items.map((i) => i.id)).toEqual(firstIds);
  for (const i of r.feed.items) {
    for (const s of [i.id, i.title, i.summary, i._siar?.agency?.name, i.url, i.image]) if (s && MARKUP.test(s)) stats.hostileStrings++;
  }
  return r.feed.items;
}

/** A cheap assertion for hot paths, with a lazy message. */
function must(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new Error(message());
}

/** Every node is an element the component makes, or text; no handler or link attributes. */
function expectOnlyComponentMarkup(root: HTMLElement, tags: Set<string>, image?: string): void {
  const walker = document.createTreeWalker(root, 0xffffffff);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    must(n.nodeType === 1 || n.nodeType === 3, () => `node type ${n.nodeType} (${n.nodeName}) in ${root.innerHTML.slice(0, 300)}`);
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    stats.elements++;
    const tag = el.tagName.toLowerCase();
    must(tags.has(tag), () => `<${tag}> in ${root.innerHTML.slice(0, 300)}`);
    for (const a of Array.from(el.attributes)) {
      must(ATTRIBUTES.has(a.name) && !a.name.startsWith('on'), () => `attribute ${a.name}="${a.value}" on <${tag}>`);
    }
    if (tag === 'img') {
      must(el.getAttribute('class') === 'thumb', () => `<img class="${el.getAttribute('class')}">`);
      must(el.getAttribute('src') === image, () => `<img src="${el.getAttribute('src')}">, the item image is ${image}`);
    }
  }
  for (const sel of [
    'script',
    'style',
    'svg',
    'iframe',
    'object',
    'embed',
    'a',
    'form',
    'base',
    'meta',
    'template',
    'math',
    'link',
    '[href]',
    '[srcdoc]',
    '[style]',
  ]) {
    must(root.querySelector(sel) === null, () => `${sel} in ${root.innerHTML.slice(0, 300)}`);
  }
  must(root.querySelectorAll('img').length === (image ? 1 : 0), () => `images in ${root.innerHTML.slice(0, 300)}`);
}

/** Exactly this text, as text. */
function expectText(el: Element | null, text: string, what: string): void {
  must(el !== null, () => `${what}: no element`);
  if (el.textContent !== text) expect(el.textContent, what).toBe(text);
}

describe('fuzz: feed strings never become markup', { timeout: 120_000 }, () => {
  it('the DOM check itself catches markup (control)', () => {
    for (const bad of [
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
      '<svg onload=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<span onclick="alert(1)">x</span>',
      '<!-- x -->',
    ]) {
      const container = document.createElement('div');
      container.innerHTML = `<article class="post"><h2>Judul</h2>${bad}</article>`;
      expect(() => expectOnlyComponentMarkup(container, POSTCARD_TAGS), bad).toThrow();
    }
  });

  it(`in the popup card (${RUNS.postCard} feeds)`, () => {
    const arb = fc.tuple(envelopeArb, hostileItems, fc.integer(), fc.boolean());
    fc.assert(
      fc.property(arb, ([{ env }, raw, variant, shared]) => {
        for (const item of throughParser(env, raw)) {
          const container = document.createElement('div');
          document.body.append(container);
          const preview = composeFor(item, 'default', variant).text;
          render(
            h(PostCard, {
              item,
              shared,
              // Where something was done: every platform, with every kind of mark.
              lines: shared
                ? platformLines(
                    statesFrom(
                      itemMarksOf(
                        ['posted', 'copied', 'intent_opened'].map((action, i) => ({
                          item_id: item.id,
                          platform: PLATFORMS[i]!,
                          action: action as ShareAction,
                        })),
                      ),
                    ),
                    item.id,
                    PLATFORMS,
                  )
                : [],
              hintIdOf: (site: string) => `hint-${site}`,
              variant,
              variants: variantCount(item, 'default'),
              preview,
              onNextVariant: () => {},
              onShare: () => {},
              onSelfReport: () => {},
            }),
            container,
          );
          stats.cards++;
          expectOnlyComponentMarkup(container, POSTCARD_TAGS, item.image);
          const article = container.querySelector('article')!;
          must(container.querySelectorAll('article').length === 1, () => 'one article');
          // Feed strings in attributes stay whole attribute values.
          must(article.getAttribute('data-item-id') === item.id, () => `data-item-id ${article.getAttribute('data-item-id')}`);
          must(
            article.getAttribute('aria-labelledby') === `post-${item.id}`,
            () => `aria-labelledby ${article.getAttribute('aria-labelledby')}`,
          );
          must(container.querySelector('h2')?.getAttribute('id') === `post-${item.id}`, () => 'heading id');
          // And as text, exactly.
          expectText(container.querySelector('h2'), item.title ?? item.summary ?? item.id, 'heading');
          const agency = item._siar?.agency?.name;
          if (agency) expectText(container.querySelector('.agency'), agency, 'agency');
          else must(container.querySelector('.agency') === null, () => 'agency without a name');
          expectText(container.querySelector('.preview'), preview, 'preview');
          render(null, container);
          container.remove();
        }
      }),
      { seed: FUZZ_SEED + 100, numRuns: RUNS.postCard },
    );
    stats.propertiesPassed++;
  });

  it(`in the composer panel (${RUNS.panel} feeds)`, () => {
    const arb = fc.tuple(
      envelopeArb,
      panelSafeItems,
      fc.constantFrom('x', 'facebook', 'whatsapp'),
      fc.uniqueArray(fc.nat(5)),
      fc.option(fc.nat(5), { nil: undefined }),
      fc.option(fc.constantFrom({ key: 'copied_paste', tone: 'ok' } as const, { key: 'copy_failed', tone: 'error' } as const), {
        nil: undefined,
      }),
    );
    fc.assert(
      fc.property(arb, ([{ env }, raw, platform, sharedIdx, busyIdx, notice]) => {
        const items = throughParser(env, raw);
        const shared = statesFrom(
          itemMarksOf(
            sharedIdx.flatMap((i) =>
              items[i] ? [{ item_id: items[i].id, platform, action: i % 2 ? ('posted' as const) : ('inserted' as const) }] : [],
            ),
          ),
        );
        // "now" before every generated expiry, so that no post is hidden for being expired.
        const list: PanelItem[] = panelItems(items, shared, platform, Date.parse('1960-01-01T00:00:00Z'));
        const container = document.createElement('div');
        document.body.append(container);
        render(
          h(Panel, {
            id: 'siar-panel',
            limit: siteById(platform)?.textLimit,
            items: list,
            busyId: busyIdx === undefined ? undefined : items[busyIdx]?.id,
            notice,
            onInsert: () => {},
            onClose: () => {},
          }),
          container,
        );
        stats.panelItems += list.length;
        expectOnlyComponentMarkup(container, PANEL_TAGS);
        const lis = Array.from(container.querySelectorAll('li.panel-item'));
        must(lis.length === list.length, () => `${lis.length} posts shown, ${list.length} given`);
        lis.forEach((li, n) => {
          const p = list[n]!;
          expectText(li.querySelector('h3'), p.title, 'title');
          must(li.querySelector('h3')?.getAttribute('id') === `siar-panel-${p.id}`, () => 'heading id');
          must(li.querySelector('button.insert')?.getAttribute('aria-describedby') === `siar-panel-${p.id}`, () => 'insert button');
          if (p.agency) expectText(li.querySelector('.post-meta > span:not(.badges)'), p.agency, 'agency');
          expectText(li.querySelector('.preview'), p.texts[0]!.text, 'preview');
          if (platform === 'x') expectText(li.querySelector('.counter'), `x_counter|${p.texts[0]!.weighted}`, 'counter');
        });
        // Each shown post carries its feed strings, composed for the platform.
        const item = (id: string) => items.find((i) => i.id === id)!;
        for (const p of list) {
          must(p.title === (item(p.id).title ?? item(p.id).summary ?? p.id), () => `title of ${p.id}`);
          must(p.texts[0]!.text === composeFor(item(p.id), platform, 0).text, () => `text of ${p.id}`);
        }
        render(null, container);
        container.remove();
      }),
      { seed: FUZZ_SEED + 101, numRuns: RUNS.panel },
    );
    stats.propertiesPassed++;
  });
});

// Known bug, reported and left to fix: Panel keeps its per-post variant in a plain object keyed by
// item id, so `variants["constructor"]` is Object's constructor, `% texts.length` is NaN and
// `item.texts[NaN].text` throws: one post with such an id breaks the whole panel. (The popup has the
// same pattern in entrypoints/popup/App.tsx `variantOf`.) `it.fails` turns red once it is fixed.
describe('fuzz: composer panel, known bugs', { timeout: 60_000 }, () => {
  it('renders a post whose id names an Object.prototype property', () => {
    const arb = fc.tuple(
      validItemArb({ hostile: 4, longTokens: 10 }),
      fc.constantFrom('constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf', 'toLocaleString'),
      fc.constantFrom('x', 'facebook', 'whatsapp'),
    );
    fc.assert(
      fc.property(arb, ([raw, id, platform]) => {
        const r = parseFeedText(
          JSON.stringify({
            version: 'https://jsonfeed.org/version/1.1',
            title: 'T',
            items: [{ ...raw, id, _siar: { ...raw._siar, platforms: [] } }],
          }),
        );
        const items = r.ok ? r.feed.items : [];
        expect(items).toHaveLength(1);
        const list = panelItems(items, new Map(), platform, Date.parse('1960-01-01T00:00:00Z'));
        const container = document.createElement('div');
        document.body.append(container);
        try {
          render(h(Panel, { id: 'siar-panel', platform, items: list, onInsert: () => {}, onClose: () => {} }), container);
          expect(container.querySelectorAll('li.panel-item')).toHaveLength(1);
          expect(container.querySelector('.preview')!.textContent).toBe(list[0]!.texts[0]!.text);
        } finally {
          container.remove();
        }
      }),
      { seed: FUZZ_SEED + 102, numRuns: 50, endOnFailure: true },
    );
  });
});

afterAll(() => {
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const cpu = process.cpuUsage(startedCpu);
  const cpuSecs = ((cpu.user + cpu.system) / 1e6).toFixed(1);
  console.log(
    `[fuzz-dom] ${stats.feeds} hostile feeds, seed ${FUZZ_SEED}: ${stats.cards} popup cards and ${stats.panelItems} panel posts rendered, ` +
      `${stats.elements} elements checked, ${stats.hostileStrings} feed strings carrying markup, ` +
      `${stats.propertiesPassed === 2 ? 'none became markup' : 'FAILED (see above)'}; ${secs} s (${cpuSecs} s CPU)`,
  );
});
