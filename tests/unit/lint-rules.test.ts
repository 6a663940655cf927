// Siar's own lint rules (eslint/), run on code that must pass and code that must fail.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, it } from 'vitest';
import { noTypeImportCycle } from '../../eslint/no-type-import-cycle.js';
import { selectorCheckBy, selectorCheckSoon } from '../../eslint/selector-check-by.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' } });

describe('siar/selector-check-by and selector-check-soon', () => {
  const on = (today: string) => [{ months: 6, warnDays: 30, today }];
  const form = (seen: string) => `const F = [{ css: '[data-testid="toolBar"]', seen: '${seen}' }];`;

  tester.run('selector-check-by', selectorCheckBy, {
    valid: [
      { code: form('2026-11'), options: on('2026-12-03') },
      // Due by the end of May 2027: still fine on its last day.
      { code: form('2026-11'), options: on('2027-05-31') },
      {
        code: `const F = [{ text: /^What's on your mind/, seen: \`2026-11\` }, { path: /^\\/login/, seen: '2026-10' }];`,
        options: on('2027-01-01'),
      },
      // Not a form: objects without css, text or path need no month.
      { code: `const site = { id: 'x', hosts: ['x.com'] };`, options: on('2030-01-01') },
    ],
    invalid: [
      { code: form('2026-11'), options: on('2027-06-01'), errors: [{ messageId: 'due', data: { seen: '2026-11', due: '2027-05' } }] },
      { code: form('2026-06'), options: on('2027-01-01'), errors: [{ messageId: 'due', data: { seen: '2026-06', due: '2026-12' } }] },
      { code: `const F = [{ css: 'form' }];`, options: on('2026-12-03'), errors: [{ messageId: 'missing' }] },
      {
        code: `const F = [{ text: /x/ }, { path: /y/ }];`,
        options: on('2026-12-03'),
        errors: [{ messageId: 'missing' }, { messageId: 'missing' }],
      },
      { code: form('2026-13'), options: on('2026-12-03'), errors: [{ messageId: 'malformed' }] },
      { code: form('Nov 2026'), options: on('2026-12-03'), errors: [{ messageId: 'malformed' }] },
      {
        code: `const m = '2026-11'; const F = [{ css: 'form', seen: m }];`,
        options: on('2026-12-03'),
        errors: [{ messageId: 'malformed' }],
      },
    ],
  });

  tester.run('selector-check-soon', selectorCheckSoon, {
    valid: [
      { code: form('2026-11'), options: on('2027-05-01') },
      // Past due is the other rule's error, not a warning.
      { code: form('2026-11'), options: on('2027-06-01') },
    ],
    invalid: [
      { code: form('2026-11'), options: on('2027-05-02'), errors: [{ messageId: 'soon', data: { seen: '2026-11', due: '2027-05' } }] },
    ],
  });
});

describe('siar/no-type-import-cycle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siar-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    // db.ts ↔ stats.ts through a type: the shape of the cycles the history had.
    'db.ts': "import { dayOf } from './stats';\nexport interface ShareEvent { at: number }\nexport const first = dayOf;\n",
    'stats.ts': "import type { ShareEvent } from './db';\nexport const dayOf = (e: ShareEvent) => e.at;\n",
    // The same with the type in a module of its own: no cycle.
    'types.ts': 'export interface Event2 { at: number }\n',
    'db2.ts': "import { dayOf2 } from './stats2';\nexport const first2 = dayOf2;\n",
    'stats2.ts': "import type { Event2 } from './types';\nexport const dayOf2 = (e: Event2) => e.at;\n",
    // A longer cycle through an alias and a re-export.
    'a.ts': "export { b } from './b';\n",
    'b.ts': "import type { C } from '@/c';\nexport const b = (c: C) => c;\n",
    'c.ts': "import { b } from './a';\nexport type C = typeof b;\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const at = (name: string) => ({ code: files[name]!, filename: path.join(dir, name), options: [{ aliases: { '@/': dir } }] });

  tester.run('no-type-import-cycle', noTypeImportCycle, {
    valid: [at('db2.ts'), at('stats2.ts'), at('types.ts')],
    invalid: [
      { ...at('db.ts'), errors: [{ messageId: 'cycle' }] },
      { ...at('stats.ts'), errors: [{ messageId: 'cycle' }] },
      { ...at('a.ts'), errors: [{ messageId: 'cycle' }] },
      { ...at('b.ts'), errors: [{ messageId: 'cycle' }] },
      { ...at('c.ts'), errors: [{ messageId: 'cycle' }] },
    ],
  });
});
