// The message table (utils/messages/table.ts): one entry per message, and the content scripts'
// allowlist follows from it, so it cannot drift from what they send.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTENT_SCRIPT_MESSAGES, MESSAGES, MessageSchema, type MessageType } from '@/utils/messages/table';
import { PLATFORMS } from '@/utils/protocol/platforms';
import { ONE_CLICK_SITES } from '@/utils/sites/registry';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** The message types a folder's code names as `type: '…'`. */
function typesSent(dirs: string[]): Set<string> {
  const known = new Set<string>(Object.keys(MESSAGES));
  const found = new Set<string>();
  for (const file of dirs.flatMap((d) => sources(path.join(ROOT, d)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\btype:\s*'([a-z]+\/[a-z-]+)'/g)) if (known.has(m[1]!)) found.add(m[1]!);
  }
  return found;
}

describe('the message table', () => {
  it('lets content scripts send exactly what the composer integration sends', () => {
    expect([...CONTENT_SCRIPT_MESSAGES].sort()).toEqual([...typesSent(['utils/composer'])].sort());
  });

  it('keeps the privileged messages to extension pages', () => {
    for (const type of ['history/delete', 'oneclick/start', 'sync/now', 'settings/changed', 'feed/refresh'] as MessageType[]) {
      expect(CONTENT_SCRIPT_MESSAGES.has(type), type).toBe(false);
    }
  });

  it('checks every message by its own entry: a known type with the fields of another is refused', () => {
    expect(MessageSchema.safeParse({ type: 'panel/items', platform: 'x' }).success).toBe(true);
    expect(MessageSchema.safeParse({ type: 'image/get', platform: 'x' }).success).toBe(false);
    expect(MessageSchema.safeParse({ type: 'feed/refresh', force: true }).success).toBe(true);
    expect(MessageSchema.safeParse({ type: 'oneclick/start', itemId: 'a', platform: 'x', variant: 0 }).success).toBe(true);
    // One click opens a composer page: a platform without one is refused.
    const noComposer = PLATFORMS.filter((p) => !ONE_CLICK_SITES.some((s) => s.id === p));
    expect(noComposer.length).toBeGreaterThan(0);
    for (const platform of noComposer)
      expect(MessageSchema.safeParse({ type: 'oneclick/start', itemId: 'a', platform, variant: 0 }).success, platform).toBe(false);
  });
});
