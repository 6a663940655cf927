// @ts-check
// import-x/no-cycle follows runtime imports only: it skips `import type` by design. A cycle that
// runs through a type import is still a cycle in the design (a type living in the module that
// implements it), and the next value import along it makes it a runtime one. This rule follows
// type imports too, and reports cycles that have at least one type-only step (the all-runtime
// ones are import-x's to report).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'];

/** @typedef {{ target: string, typeOnly: boolean }} Edge */

/** @type {Map<string, { mtimeMs: number, edges: Edge[] }>} */
const graphCache = new Map();

/**
 * @param {string} from
 * @param {string} spec
 * @param {Record<string, string>} aliases
 * @returns {string | undefined}
 */
export function resolveSpecifier(from, spec, aliases) {
  const bare = spec.replace(/\?.*$/, '');
  let base;
  for (const [prefix, dir] of Object.entries(aliases)) {
    if (bare.startsWith(prefix)) base = path.resolve(dir, bare.slice(prefix.length));
  }
  if (!base && bare.startsWith('.')) base = path.resolve(path.dirname(from), bare);
  if (!base) return undefined;
  for (const ext of EXTENSIONS) {
    try {
      if (statSync(base + ext).isFile() && /\.tsx?$/.test(base + ext)) return base + ext;
    } catch {
      // Not this one: try the next extension.
    }
  }
  return undefined;
}

/**
 * Static imports and re-exports of a file (dynamic `import()` loads later, so it makes no cycle).
 * @param {string} file
 * @param {Record<string, string>} aliases
 * @returns {Edge[]}
 */
function edgesOf(file, aliases) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = graphCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.edges;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  /** @type {Edge[]} */
  const edges = [];
  for (const st of source.statements) {
    let spec;
    let typeOnly = false;
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      spec = st.moduleSpecifier.text;
      const clause = st.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly = Boolean(clause?.isTypeOnly || (clause && !clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      spec = st.moduleSpecifier.text;
      const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : undefined;
      typeOnly = st.isTypeOnly || Boolean(named && named.length > 0 && named.every((e) => e.isTypeOnly));
    }
    if (spec === undefined) continue;
    const target = resolveSpecifier(file, spec, aliases);
    if (target) edges.push({ target, typeOnly });
  }
  graphCache.set(file, { mtimeMs, edges });
  return edges;
}

/**
 * A path from `start` back to `goal` that takes at least one type-only step (counting the first
 * step's own kind), or undefined.
 * @param {string} start
 * @param {boolean} startTyped
 * @param {string} goal
 * @param {Record<string, string>} aliases
 * @returns {string[] | undefined}
 */
function cycleThroughTypes(start, startTyped, goal, aliases) {
  /** @type {{ file: string, typed: boolean, path: string[] }[]} */
  const queue = [{ file: start, typed: startTyped, path: [start] }];
  const seen = new Set([`${start}\u0000${startTyped}`]);
  while (queue.length > 0) {
    const { file, typed, path: trail } = /** @type {{ file: string, typed: boolean, path: string[] }} */ (queue.shift());
    for (const edge of edgesOf(file, aliases)) {
      const nextTyped = typed || edge.typeOnly;
      if (edge.target === goal) {
        if (nextTyped) return [...trail, goal];
        continue;
      }
      const key = `${edge.target}\u0000${nextTyped}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ file: edge.target, typed: nextTyped, path: [...trail, edge.target] });
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noTypeImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycle, type imports included' },
    schema: [
      {
        type: 'object',
        properties: { aliases: { type: 'object', additionalProperties: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
    messages: {
      cycle: 'Import cycle through a type import: {{cycle}}. Move the shared type into a module of its own.',
    },
  },
  create(context) {
    const file = context.filename;
    const cwd = context.cwd;
    /** @type {Record<string, string>} */
    const aliases = Object.fromEntries(
      Object.entries(context.options[0]?.aliases ?? {}).map(([prefix, dir]) => [prefix, path.resolve(cwd, String(dir))]),
    );
    const rel = (/** @type {string} */ f) => path.relative(cwd, f).split(path.sep).join('/');
    /** @param {import('estree').ImportDeclaration | import('estree').ExportNamedDeclaration | import('estree').ExportAllDeclaration} node */
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const target = resolveSpecifier(file, node.source.value, aliases);
      if (!target) return;
      const own = edgesOf(file, aliases).find((e) => e.target === target);
      const cycle = cycleThroughTypes(target, own?.typeOnly ?? false, file, aliases);
      if (cycle) context.report({ node, messageId: 'cycle', data: { cycle: [file, ...cycle.slice(0, -1), file].map(rel).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
