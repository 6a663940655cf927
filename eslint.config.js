// @ts-check
// Lint for the whole tree: typescript-eslint's recommended rules, no import cycles (a type that
// lives in the module implementing it is how cycles crept in), and the forms of the sites' pages
// looked at again on the live site before their check-by date (eslint/selector-check-by.js).
// Formatting is Prettier's (`.prettierrc.json`).
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import siar from './eslint/plugin.js';

export default tseslint.config(
  {
    ignores: ['.output/', '.wxt/', 'node_modules/', 'tests/fixtures/dist/', 'test-results/', 'tmp/', 'server/.bundle/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX, siar },
    settings: {
      // TypeScript files are parsed and followed (import-x reads only JavaScript otherwise).
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      // Cycles of value imports…
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // …and the ones import-x leaves out because a step is `import type`: a type belongs in a
      // module of its own, not in the module that implements it.
      'siar/no-type-import-cycle': ['error', { aliases: { '@/': '.' } }],
    },
  },
  {
    // The forms of each site's page carry the month they were last seen on the live site.
    files: ['utils/sites/*.site.ts'],
    plugins: { siar },
    rules: {
      'siar/selector-check-by': ['error', { months: 6 }],
      'siar/selector-check-soon': ['warn', { months: 6, warnDays: 30 }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
);
