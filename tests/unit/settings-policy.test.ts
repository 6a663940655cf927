// @vitest-environment happy-dom
// Agency policy (storage.managed) and the order of precedence: policy > user > feed > build.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { h, render } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

// The build defaults are read when the settings module loads: set them before any import.
const BUILD = vi.hoisted(() => {
  const b = {
    feedUrl: 'https://build.example.go.id/feed.json',
    tallyUrl: 'https://build.example.go.id/tally',
    key: 'B'.repeat(43),
  };
  process.env.WXT_SIAR_FEED_URL = b.feedUrl;
  process.env.WXT_SIAR_TALLY_URL = b.tallyUrl;
  process.env.WXT_SIAR_FEED_PUBLIC_KEY = b.key;
  return b;
});

import { SettingsForm } from '@/components/SettingsForm';
import {
  BUILD_FEED_URL,
  BUILD_PUBLIC_KEY,
  BUILD_TALLY_URL,
  effectiveFeedPublicKey,
  effectiveFeedUrl,
  effectiveTallyUrl,
  loadPolicy,
  policyValues,
  saveUserSettings,
  settingSources,
  watchPolicy,
  type UserSettings,
} from '@/utils/settings';
import { POLICY_KEYS } from '@/utils/settings/keys';
import { parsePolicy } from '@/utils/settings/policy';

const USER = {
  feedUrl: 'https://user.example.go.id/feed.json',
  tallyUrl: 'https://user.example.go.id/tally',
  feedPublicKey: 'U'.repeat(43),
};
const FEED_TALLY = 'https://feed.example.go.id/tally';
const POLICY = {
  feedUrl: 'https://diskominfo.example.go.id/siar/feed.json',
  tallyUrl: 'https://diskominfo.example.go.id/siar/tally',
  feedPublicKey: 'P'.repeat(43),
};

type Managed = typeof fakeBrowser.storage.managed;
/** What `storage.managed.get` answers: an object, or a rejection (no policy in Firefox). */
function setPolicy(answer: Record<string, unknown> | Error, sync = false) {
  return vi.spyOn(fakeBrowser.storage.managed, 'get').mockImplementation((() => {
    if (answer instanceof Error) {
      if (sync) throw answer;
      return Promise.reject(answer);
    }
    return Promise.resolve({ ...answer });
  }) as Managed['get']);
}

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  // No policy unless a test sets one.
  setPolicy({});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('build defaults come from the build', () => {
  it('reads WXT_SIAR_* at load', () => {
    expect(BUILD_FEED_URL).toBe(BUILD.feedUrl);
    expect(BUILD_TALLY_URL).toBe(BUILD.tallyUrl);
    expect(BUILD_PUBLIC_KEY).toBe(BUILD.key);
  });
});

describe('precedence: policy > user > feed > build', () => {
  it('feed URL: build, then user, then policy', async () => {
    expect(await effectiveFeedUrl()).toBe(BUILD.feedUrl);
    await saveUserSettings({ feedUrl: USER.feedUrl });
    expect(await effectiveFeedUrl()).toBe(USER.feedUrl);
    setPolicy({ feedUrl: POLICY.feedUrl });
    expect(await effectiveFeedUrl()).toBe(POLICY.feedUrl);
    expect((await settingSources()).feedUrl).toEqual({ value: POLICY.feedUrl, source: 'policy' });
  });

  it('tally URL: build, then feed, then user, then policy', async () => {
    expect(await effectiveTallyUrl(undefined)).toBe(BUILD.tallyUrl);
    expect(await effectiveTallyUrl(FEED_TALLY)).toBe(FEED_TALLY);
    await saveUserSettings({ tallyUrl: USER.tallyUrl });
    expect(await effectiveTallyUrl(FEED_TALLY)).toBe(USER.tallyUrl);
    setPolicy({ tallyUrl: POLICY.tallyUrl });
    expect(await effectiveTallyUrl(FEED_TALLY)).toBe(POLICY.tallyUrl);
    expect((await settingSources(FEED_TALLY)).tallyUrl).toEqual({ value: POLICY.tallyUrl, source: 'policy' });
  });

  it('public key: build, then user, then policy (a feed never names its own key)', async () => {
    expect(await effectiveFeedPublicKey()).toBe(BUILD.key);
    await saveUserSettings({ feedPublicKey: USER.feedPublicKey });
    expect(await effectiveFeedPublicKey()).toBe(USER.feedPublicKey);
    setPolicy({ feedPublicKey: POLICY.feedPublicKey });
    expect(await effectiveFeedPublicKey()).toBe(POLICY.feedPublicKey);
  });

  it('settingSources names every source, and each setting independently', async () => {
    await saveUserSettings({ tallyUrl: USER.tallyUrl });
    setPolicy({ feedPublicKey: POLICY.feedPublicKey });
    const s = await settingSources(FEED_TALLY);
    expect(s).toEqual({
      feedUrl: { value: BUILD.feedUrl, source: 'build' },
      tallyUrl: { value: USER.tallyUrl, source: 'user' },
      feedPublicKey: { value: POLICY.feedPublicKey, source: 'policy' },
    });
    expect(policyValues(s)).toEqual({ feedPublicKey: POLICY.feedPublicKey });
    await saveUserSettings({});
    expect((await settingSources(FEED_TALLY)).tallyUrl).toEqual({ value: FEED_TALLY, source: 'feed' });
  });

  it('a policy wins over all three at once, and the user value stays stored underneath', async () => {
    await saveUserSettings(USER);
    setPolicy(POLICY);
    expect(await settingSources(FEED_TALLY)).toEqual({
      feedUrl: { value: POLICY.feedUrl, source: 'policy' },
      tallyUrl: { value: POLICY.tallyUrl, source: 'policy' },
      feedPublicKey: { value: POLICY.feedPublicKey, source: 'policy' },
    });
    // The policy goes: the user's own values are back.
    setPolicy({});
    expect(await effectiveFeedUrl()).toBe(USER.feedUrl);
    expect(await effectiveTallyUrl(FEED_TALLY)).toBe(USER.tallyUrl);
    expect(await effectiveFeedPublicKey()).toBe(USER.feedPublicKey);
  });

  it('invalid user values fall through too', async () => {
    await saveUserSettings({ feedUrl: 'http://user.example.go.id/feed.json', feedPublicKey: 'short' });
    expect(await effectiveFeedUrl()).toBe(BUILD.feedUrl);
    expect(await effectiveFeedPublicKey()).toBe(BUILD.key);
  });
});

describe('invalid policy values are ignored, with a warning', () => {
  const BAD: [string, unknown][] = [
    ['feedUrl', 'http://diskominfo.example.go.id/feed.json'], // plain http off loopback
    ['feedUrl', 'javascript:alert(1)'],
    ['feedUrl', 'https://admin:secret@diskominfo.example.go.id/feed.json'],
    ['feedUrl', 'not a url'],
    ['feedUrl', 42],
    ['feedUrl', { url: POLICY.feedUrl }],
    ['tallyUrl', 'ftp://diskominfo.example.go.id/tally'],
    ['tallyUrl', ['https://diskominfo.example.go.id/tally']],
    ['feedPublicKey', 'P'.repeat(42)],
    ['feedPublicKey', 'P'.repeat(44)],
    ['feedPublicKey', `${'P'.repeat(42)}=`],
    ['feedPublicKey', true],
  ];

  it.each(BAD)('%s = %j falls back to the user value', async (key, value) => {
    await saveUserSettings(USER);
    setPolicy({ [key]: value });
    const s = await settingSources(FEED_TALLY);
    expect(s[key as keyof typeof s].source).toBe('user');
    expect(s[key as keyof typeof s].value).toBe(USER[key as keyof typeof USER]);
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]?.[0])).toContain(key);
  });

  it('a bad value does not take the good ones down with it', async () => {
    setPolicy({ feedUrl: 'javascript:void 0', tallyUrl: POLICY.tallyUrl, feedPublicKey: 7, other: 'x' });
    expect(await loadPolicy()).toEqual({ tallyUrl: POLICY.tallyUrl });
  });

  it('empty and null values are simply unset, unknown keys are dropped', () => {
    expect(parsePolicy({ feedUrl: '  ', tallyUrl: null, feedPublicKey: undefined, surprise: POLICY.feedUrl })).toEqual({});
    expect(parsePolicy({ feedUrl: `  ${POLICY.feedUrl}  ` })).toEqual({ feedUrl: POLICY.feedUrl });
  });

  it('a managed area that is not an object is no policy', () => {
    for (const raw of [null, undefined, 'x', 3, [POLICY.feedUrl]]) expect(parsePolicy(raw)).toEqual({});
  });

  it('warns once per bad value, not on every read', async () => {
    setPolicy({ tallyUrl: 'http://once.example/tally' });
    await loadPolicy();
    const n = warn.mock.calls.length;
    await loadPolicy();
    await loadPolicy();
    expect(warn.mock.calls.length).toBe(n);
  });
});

describe('no managed storage is no policy', () => {
  it('get() rejecting (Firefox without a 3rdparty entry)', async () => {
    await saveUserSettings({ feedUrl: USER.feedUrl });
    setPolicy(new Error('Managed storage manifest not found'));
    expect(await loadPolicy()).toEqual({});
    expect(await effectiveFeedUrl()).toBe(USER.feedUrl);
  });

  it('get() throwing synchronously (not implemented)', async () => {
    setPolicy(new Error('Browser.storage.managed.get not implemented.'), true);
    expect(await loadPolicy()).toEqual({});
    expect(await effectiveFeedUrl()).toBe(BUILD.feedUrl);
  });

  it('no storage.managed at all', async () => {
    const storage = fakeBrowser.storage as { managed?: unknown };
    const managed = storage.managed;
    try {
      storage.managed = undefined;
      expect(await loadPolicy()).toEqual({});
      expect(await effectiveTallyUrl(FEED_TALLY)).toBe(FEED_TALLY);
    } finally {
      storage.managed = managed;
    }
  });
});

describe('watchPolicy', () => {
  it('reports managed changes, ignores other areas, and stops', async () => {
    const seen: unknown[] = [];
    const stop = watchPolicy((p) => seen.push(p));
    setPolicy({ feedUrl: POLICY.feedUrl });
    await fakeBrowser.storage.onChanged.trigger({ feedUrl: { newValue: POLICY.feedUrl } }, 'managed');
    await fakeBrowser.storage.onChanged.trigger({ settings: { newValue: {} } }, 'local');
    await vi.waitFor(() => expect(seen).toEqual([{ feedUrl: POLICY.feedUrl }]));
    stop();
    await fakeBrowser.storage.onChanged.trigger({ feedUrl: { newValue: POLICY.feedUrl } }, 'managed');
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);
  });

  it('is a no-op where storage.onChanged throws', () => {
    vi.spyOn(fakeBrowser.storage.onChanged, 'addListener').mockImplementation(() => {
      throw new Error('not implemented');
    });
    const stop = watchPolicy(() => {});
    expect(() => stop()).not.toThrow();
  });
});

describe('options form: policy values are read-only and never saved over', () => {
  let root: HTMLElement;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  const input = (name: string) => root.querySelector<HTMLInputElement>(`#f-${name}`)!;
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('hides the fields the policy sets, and saves only the free ones', async () => {
    const stored: UserSettings = { feedUrl: USER.feedUrl, tallyUrl: USER.tallyUrl, retentionDays: 90 };
    const saves: UserSettings[] = [];
    render(
      h(SettingsForm, {
        settings: stored,
        defaults: { feedUrl: BUILD.feedUrl, tallyUrl: BUILD.tallyUrl },
        policy: { feedUrl: POLICY.feedUrl, feedPublicKey: POLICY.feedPublicKey },
        onSave: async (next: UserSettings) => {
          saves.push(next);
          return 'saved' as const;
        },
      }),
      root,
    );
    await tick();

    // Not the user's to change: not there at all (the page names them as the agency's).
    expect(root.querySelector('#f-feedUrl')).toBeNull();
    expect(root.querySelector('#f-feedPublicKey')).toBeNull();
    expect(root.textContent).not.toContain(POLICY.feedUrl);
    expect(input('tallyUrl').readOnly).toBe(false);
    expect(input('tallyUrl').value).toBe(USER.tallyUrl);

    // Saving keeps the user's own stored values for the hidden fields.
    input('tallyUrl').value = 'https://new.example.go.id/tally';
    input('tallyUrl').dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await tick();

    expect(saves).toEqual([
      { feedUrl: USER.feedUrl, tallyUrl: 'https://new.example.go.id/tally', feedPublicKey: undefined, retentionDays: 90 },
    ]);
  });

  it("without a policy every field is the user's", async () => {
    render(
      h(SettingsForm, {
        settings: {},
        defaults: { feedUrl: '', tallyUrl: '' },
        onSave: async () => 'saved' as const,
      }),
      root,
    );
    await tick();
    for (const f of ['feedUrl', 'tallyUrl', 'feedPublicKey']) expect(input(f).readOnly).toBe(false);
    expect(root.querySelector('[data-policy]')).toBeNull();
  });
});

describe('the schema and the example policies agree with the code', () => {
  const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents, walked by the assertions below
  const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, any>;

  it('public/managed_schema.json declares exactly the policy keys, as strings, described in both languages', () => {
    const schema = read('public/managed_schema.json');
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual([...POLICY_KEYS].sort());
    for (const key of POLICY_KEYS) {
      expect(schema.properties[key].type).toBe('string');
      expect(schema.properties[key].description).toMatch(/ \/ /);
    }
  });

  it('docs/policy examples carry valid values for every policy setting', () => {
    const chrome = read('docs/policy/chrome-policy.json');
    const firefox = read('docs/policy/firefox-policies.json');
    const chromeIds = Object.keys(chrome['3rdparty'].extensions);
    expect(chromeIds).toEqual(Object.keys(chrome.ExtensionSettings));
    const chromeValues = chrome['3rdparty'].extensions[chromeIds[0]!];
    const firefoxValues = firefox.policies['3rdparty'].Extensions['siar@siar.example'];
    expect(firefox.policies.ExtensionSettings['siar@siar.example'].installation_mode).toBe('force_installed');
    for (const values of [chromeValues, firefoxValues]) {
      expect(parsePolicy(values)).toEqual(values);
      expect(Object.keys(values).sort()).toEqual([...POLICY_KEYS].sort());
    }
    expect(warn).not.toHaveBeenCalled();
  });
});
