import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The static check behind "SQL only from constants" (tests/unit/security-server.test.ts): every
// statement that reaches the database is text fixed when the code was written. Values go in as
// bound parameters ($1, $2…), never into the SQL.
//
// The TypeScript type checker finds the calls into the database whatever the receiver is called:
// a method `all`, `get`, `run`, `exec` (and the store's `allSync`, `runSync`, `prepare`) declared by
// the store (server/db/sql.ts, sqlite.ts, postgres.ts), `prepare`/`exec`/`pragma` of a
// better-sqlite3 database, or `query` of node-postgres. The SQL argument (for `query({ text })`,
// the `text`; for `query(copyTo(sql))` of pg-copy-streams, `sql`) must be a compile-time constant:
// - a string or number literal, or a template whose every `${}` part is itself constant;
// - a `const` identifier (also imported) whose initialiser is constant and which is never mutated;
// - `a ? b : c` with `b` and `c` constant (the condition only chooses between constants), `a + b`;
// - an array or object literal of constants, `.join()`, `.filter()`, `.slice()` of a constant array,
//   `.split()` of a constant string, `.map(cb)`/`.flatMap(cb)` of a constant array where `cb`
//   returns a constant given a constant element; `for (const x of CONSTANTS)`;
// - a call of a function of the program whose every return is constant (server/db/copy.ts's
//   `statement(table, n)` over its constant TABLES list);
// - `valuesList(…)` / `inList(…)` from server/db/sql.ts (they write only `$n` placeholders);
// - a call of a strict guard: a function whose body is exactly `if (!/^…$/.test(x)) throw …;
//   return <x, or x between constants>;` with a regex of letters, digits, `_`, `-` and `\d{n}` only
//   (PostgreSQL takes no parameters in DDL: partitions.ts's partitionName/partitionBound). Whatever
//   it is given, it returns one of a fixed, harmless set of words or throws;
// - a parameter of a function that is not exported and is never used as a value, when every call
//   of it passes a constant in that position (ingest.ts's `bump(q, 'rollup_unit', [...], …)`).
// Two places forward SQL they were given, and are accepted by name, not by value: the store's own
// methods (a parameter of a class method in server/db/sqlite.ts or postgres.ts: that is the store
// interface itself, whose callers are all checked), and the migration runner's `apply(q, step)`
// when every migration in MIGRATIONS is a constant (or a function, whose own calls are checked).
// Any string that starts like SQL, wherever it is written, must be constant as well.

export interface SqlCheck {
  /** Database calls checked, `server/…:line`. */
  sites: string[];
  /** Strict guards accepted in SQL text, `server/…:name`. */
  guards: string[];
  /** Store and migration calls that forward SQL given to them. */
  forwarded: string[];
  problems: string[];
}

const SQL_METHODS = new Set(['all', 'get', 'run', 'exec', 'allSync', 'runSync', 'prepare', 'pragma', 'query']);
const STORE_FILES = ['server/db/sql.ts', 'server/db/sqlite.ts', 'server/db/postgres.ts'];
const FORWARDING_FILES = ['server/db/sqlite.ts', 'server/db/postgres.ts'];
const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|PRAGMA|REPLACE|BEGIN|COMMIT|ROLLBACK)\b/;
const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'add',
  'delete',
  'clear',
]);

export function serverFiles(root: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const full = path.join(d, n);
      return statSync(full).isDirectory() ? walk(full) : n.endsWith('.ts') && !n.endsWith('.d.ts') ? [full] : [];
    });
  return walk(path.join(root, 'server'));
}

function compilerOptions(root: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read tsconfig.json');
  return { ...parsed.options, noEmit: true };
}

let cached: { root: string; program: ts.Program } | undefined;

/** The server's files as one program (type information included), built once per run. */
export function serverProgram(root: string): ts.Program {
  if (cached?.root === root) return cached.program;
  const program = ts.createProgram(serverFiles(root), compilerOptions(root));
  cached = { root, program };
  return program;
}

/** Checks every file of the program under server/. */
export function checkServer(root: string): SqlCheck {
  const program = serverProgram(root);
  const out: SqlCheck = { sites: [], guards: [], forwarded: [], problems: [] };
  const serverDir = path.join(root, 'server') + path.sep;
  for (const sf of program.getSourceFiles()) {
    if (path.resolve(sf.fileName).startsWith(serverDir) && !sf.isDeclarationFile) checkFile(program, sf, root, out);
  }
  return out;
}

const PREAMBLE = `import type { Database, Queryable } from './db/sql';
import { inList, valuesList } from './db/sql';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
declare const db: Database;
declare const q: Queryable;
declare const raw: BetterSqlite3.Database;
declare const client: pg.PoolClient;
declare const req: { url: string; id: string };
declare const id: string;
declare const name: string;
declare const column: string;
void inList; void valuesList;
`;

/**
 * Checks each of `sources` as if it were a file `server/example-<n>.ts` (for the check's own test),
 * all in one program; line 1 of a result is its source's first line.
 */
export function checkSnippets(root: string, sources: readonly string[]): SqlCheck[] {
  const base = serverProgram(root);
  const files = new Map(sources.map((source, i) => [path.join(root, 'server', `example-${i + 1}.ts`), PREAMBLE + source]));
  const options = compilerOptions(root);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => {
    const text = files.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, version, true) : getSourceFile(name, version, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host, base);
  return [...files.keys()].map((file) => {
    const out: SqlCheck = { sites: [], guards: [], forwarded: [], problems: [] };
    checkFile(program, program.getSourceFile(file)!, root, out, PREAMBLE.split('\n').length - 1);
    return out;
  });
}

function checkFile(program: ts.Program, sf: ts.SourceFile, root: string, out: SqlCheck, lineOffset = 0): void {
  const checker = program.getTypeChecker();
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  const fileRel = rel(sf.fileName);
  const where = (n: ts.Node) => `${fileRel}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 - lineOffset}`;

  const symbolOf = (n: ts.Node): ts.Symbol | undefined => {
    let s = checker.getSymbolAtLocation(n);
    if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    return s;
  };

  /** Identifiers in `file` that name `symbol`, except its declaration's own name. */
  const referenceCache = new Map<ts.Symbol, ts.Identifier[]>();
  const references = (symbol: ts.Symbol, file: ts.SourceFile): ts.Identifier[] => {
    const cached = referenceCache.get(symbol);
    if (cached) return cached;
    const found: ts.Identifier[] = [];
    referenceCache.set(symbol, found);
    const names = new Set((symbol.declarations ?? []).map((d) => (d as ts.NamedDeclaration).name).filter(Boolean));
    const visit = (n: ts.Node) => {
      if (ts.isIdentifier(n) && n.text === symbol.name && !names.has(n) && symbolOf(n) === symbol) found.push(n);
      ts.forEachChild(n, visit);
    };
    visit(file);
    return found;
  };

  const mutated = (symbol: ts.Symbol, file: ts.SourceFile): boolean =>
    references(symbol, file).some((ref) => {
      const p = ref.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === ref && MUTATORS.has(p.name.text) && ts.isCallExpression(p.parent))
        return true;
      // `list[i] = value`, `object.name = value`
      if (
        (ts.isElementAccessExpression(p) || ts.isPropertyAccessExpression(p)) &&
        p.expression === ref &&
        ts.isBinaryExpression(p.parent) &&
        p.parent.left === p &&
        p.parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        p.parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      ) {
        return true;
      }
      return false;
    });

  const isFunctionLike = (n: ts.Node): n is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(n) || ts.isFunctionExpression(n);

  const returnsConstant = (fn: ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration, seen: Set<ts.Node>): boolean => {
    if (!fn.body || seen.has(fn)) return false;
    seen = new Set([...seen, fn]);
    if (!ts.isBlock(fn.body)) return constant(fn.body, seen);
    const returns: ts.ReturnStatement[] = [];
    const visit = (n: ts.Node) => {
      if (ts.isReturnStatement(n)) returns.push(n);
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
    return returns.length > 0 && returns.every((r) => constant(r.expression, seen));
  };

  const declaredIn = (n: ts.Node, file: string, names: readonly string[]): boolean => {
    const s = symbolOf(n);
    const d = s?.valueDeclaration ?? s?.declarations?.[0];
    return !!d && rel(d.getSourceFile().fileName) === file && names.includes(s!.name);
  };

  function constantParameter(p: ts.ParameterDeclaration, seen: Set<ts.Node>): boolean {
    const fn = p.parent;
    if (p.dotDotDotToken || !ts.isIdentifier(p.name)) return false;
    const index = fn.parameters.indexOf(p);
    // The element in `CONSTANTS.map((c) => …)`.
    if (isFunctionLike(fn) && ts.isCallExpression(fn.parent) && fn.parent.arguments[0] === fn) {
      const callee = fn.parent.expression;
      if (ts.isPropertyAccessExpression(callee) && ['map', 'flatMap'].includes(callee.name.text)) {
        return index === 0 && constant(callee.expression, seen);
      }
      return false;
    }
    // A named function, not exported and never passed around: every call gives a constant.
    let name: ts.Identifier | undefined;
    if (ts.isFunctionDeclaration(fn)) name = fn.name;
    else if (isFunctionLike(fn) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name;
    if (!name) return false;
    const statement = ts.isFunctionDeclaration(fn) ? fn : fn.parent.parent.parent;
    if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return false;
    const fnSymbol = symbolOf(name);
    if (!fnSymbol) return false;
    const refs = references(fnSymbol, fn.getSourceFile());
    if (refs.length === 0) return false;
    const inner = new Set([...seen, p]);
    return refs.every((ref) => {
      const call = ref.parent;
      if (!ts.isCallExpression(call) || call.expression !== ref) return false;
      if (call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return false;
      const arg = call.arguments[index];
      return arg === undefined ? constant(p.initializer, inner) : constant(arg, inner);
    });
  }

  function constantIdentifier(id: ts.Identifier, seen: Set<ts.Node>): boolean {
    return constantSymbol(symbolOf(id), seen);
  }

  function constantSymbol(symbol: ts.Symbol | undefined, seen: Set<ts.Node>): boolean {
    const decl = symbol?.valueDeclaration;
    if (!symbol || !decl || seen.has(decl)) return false;
    const inner = new Set([...seen, decl]);
    if (ts.isVariableDeclaration(decl)) {
      const list = decl.parent;
      if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !ts.isIdentifier(decl.name)) return false;
      if (mutated(symbol, decl.getSourceFile())) return false;
      // `for (const c of CONSTANTS)`
      if (ts.isForOfStatement(list.parent) && !decl.initializer) return constant(list.parent.expression, inner);
      return constant(decl.initializer, inner);
    }
    if (ts.isParameter(decl)) return constantParameter(decl, inner);
    return false;
  }

  /** `if (!/^…$/.test(x)) throw …; return …x…;` with a regex that admits only letters, digits, `_` and `-`. */
  function strictGuard(fn: ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression): boolean {
    const body = fn.body;
    if (!body || !ts.isBlock(body) || body.statements.length !== 2) return false;
    const [test, ret] = body.statements;
    if (!ts.isIfStatement(test!) || test.elseStatement || !ts.isReturnStatement(ret!) || !ret.expression) return false;
    const thrown =
      ts.isBlock(test.thenStatement) && test.thenStatement.statements.length === 1 ? test.thenStatement.statements[0] : test.thenStatement;
    if (!thrown || !ts.isThrowStatement(thrown)) return false;
    const cond = test.expression;
    if (!ts.isPrefixUnaryExpression(cond) || cond.operator !== ts.SyntaxKind.ExclamationToken || !ts.isCallExpression(cond.operand))
      return false;
    const call = cond.operand;
    if (
      !ts.isPropertyAccessExpression(call.expression) ||
      call.expression.name.text !== 'test' ||
      !ts.isRegularExpressionLiteral(call.expression.expression)
    )
      return false;
    const arg = call.arguments[0];
    if (call.arguments.length !== 1 || !arg || !ts.isIdentifier(arg)) return false;
    const param = symbolOf(arg)?.valueDeclaration;
    if (!param || !ts.isParameter(param) || param.parent !== fn) return false;
    const match = /^\/\^(.*)\$\/$/.exec(call.expression.expression.text);
    if (!match) return false;
    const rest = match[1]!.replace(/\\d|\{\d+(,\d+)?\}|[A-Za-z0-9_-]/g, '');
    if (rest !== '') return false;
    // The return: the checked value, alone or between constants.
    const returned = ret.expression;
    const isParam = (e: ts.Expression) => ts.isIdentifier(e) && symbolOf(e)?.valueDeclaration === param;
    if (isParam(returned)) return true;
    return (
      ts.isTemplateExpression(returned) && returned.templateSpans.every((span) => isParam(span.expression) || constant(span.expression))
    );
  }

  function constantCall(call: ts.CallExpression, seen: Set<ts.Node>): boolean {
    const callee = call.expression;
    if (ts.isIdentifier(callee) && declaredIn(callee, 'server/db/sql.ts', ['valuesList', 'inList'])) return true;
    if (ts.isIdentifier(callee) && callee.text === 'String' && call.arguments.length === 1) return constant(call.arguments[0], seen);
    // A function of this program whose every return is constant (its parameters checked at its calls).
    if (ts.isIdentifier(callee)) {
      const d = symbolOf(callee)?.valueDeclaration;
      const fn = d && ts.isVariableDeclaration(d) && d.initializer && isFunctionLike(d.initializer) ? d.initializer : d;
      if (fn && (ts.isFunctionDeclaration(fn) || isFunctionLike(fn)) && !fn.getSourceFile().isDeclarationFile) {
        if (strictGuard(fn)) {
          out.guards.push(`${rel(fn.getSourceFile().fileName)}:${callee.text}`);
          return true;
        }
        return returnsConstant(fn, seen);
      }
      return false;
    }
    if (!ts.isPropertyAccessExpression(callee)) return false;
    const method = callee.name.text;
    if (method === 'join') {
      return constant(callee.expression, seen) && (call.arguments.length === 0 || constant(call.arguments[0], seen));
    }
    // Pieces of a constant string, a subset of a constant array.
    if (method === 'split') {
      const sep = call.arguments[0];
      return (
        call.arguments.length === 1 &&
        !!sep &&
        (ts.isRegularExpressionLiteral(sep) || constant(sep, seen)) &&
        constant(callee.expression, seen)
      );
    }
    if (method === 'filter' || method === 'slice') return constant(callee.expression, seen);
    if (method === 'map' || method === 'flatMap') {
      const cb = call.arguments[0];
      return call.arguments.length === 1 && !!cb && isFunctionLike(cb) && constant(callee.expression, seen) && returnsConstant(cb, seen);
    }
    return false;
  }

  // Results found true stay true (a constant does not depend on where it is asked from).
  const known = new Set<ts.Node>();
  function constant(e: ts.Expression | undefined, seen: Set<ts.Node> = new Set()): boolean {
    if (!e) return false;
    if (known.has(e)) return true;
    const result = constantUncached(e, seen);
    if (result) known.add(e);
    return result;
  }

  function constantUncached(e: ts.Expression, seen: Set<ts.Node>): boolean {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return true;
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isTypeAssertionExpression(e)
    ) {
      return constant(e.expression, seen);
    }
    if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => constant(s.expression, seen));
    if (ts.isConditionalExpression(e)) return constant(e.whenTrue, seen) && constant(e.whenFalse, seen);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return constant(e.left, seen) && constant(e.right, seen);
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.every(
        (p) =>
          (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && constant(p.initializer, seen)) ||
          (ts.isShorthandPropertyAssignment(p) && constantSymbol(checker.getShorthandAssignmentValueSymbol(p), seen)) ||
          (ts.isSpreadAssignment(p) && constant(p.expression, seen)),
      );
    }
    // A property of a constant array or object (`t.ref` of `{ ref: 'BIGINT' }`).
    if (ts.isPropertyAccessExpression(e)) return constant(e.expression, seen);
    if (ts.isArrayLiteralExpression(e))
      return e.elements.every((el) => (ts.isSpreadElement(el) ? constant(el.expression, seen) : constant(el, seen)));
    if (ts.isIdentifier(e)) return constantIdentifier(e, seen);
    if (ts.isCallExpression(e)) return constantCall(e, seen);
    return false;
  }

  /** SQL handed on by the store's own methods: a parameter of a class method, or `positional(it, …).sql` / `placeholders(it).sql`. */
  function forwardedByStore(e: ts.Expression): boolean {
    if (!FORWARDING_FILES.includes(fileRel)) return false;
    if (ts.isIdentifier(e)) {
      const d = symbolOf(e)?.valueDeclaration;
      return !!d && ts.isParameter(d) && ts.isMethodDeclaration(d.parent);
    }
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'sql' && ts.isIdentifier(e.expression)) {
      const d = symbolOf(e.expression)?.valueDeclaration;
      const init = d && ts.isVariableDeclaration(d) ? d.initializer : undefined;
      return (
        !!init &&
        ts.isCallExpression(init) &&
        ts.isIdentifier(init.expression) &&
        (init.expression.text === 'positional' || init.expression.text === 'placeholders') &&
        !!init.arguments[0] &&
        forwardedByStore(init.arguments[0])
      );
    }
    return false;
  }

  /** `apply(q, step)` in the migration runner: every migration's SQL is a constant (or a function). */
  function migrationStep(e: ts.Expression): boolean {
    if (fileRel !== 'server/db/migrations.ts' || !ts.isIdentifier(e)) return false;
    const d = symbolOf(e)?.valueDeclaration;
    if (!d || !ts.isParameter(d) || !ts.isFunctionDeclaration(d.parent) || d.parent.name?.text !== 'apply') return false;
    let list: ts.Expression | undefined;
    const find = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === 'MIGRATIONS') list = n.initializer;
      ts.forEachChild(n, find);
    };
    find(sf);
    const steps: ts.Expression[] = [];
    const collect = (n: ts.Node) => {
      if (ts.isPropertyAssignment(n) && ['sqlite', 'postgres'].includes(n.name.getText(sf))) steps.push(n.initializer);
      ts.forEachChild(n, collect);
    };
    if (list) collect(list);
    if (steps.length === 0) return false;
    return steps.every((s) => isFunctionLike(s) || constant(s));
  }

  function isDatabaseCall(call: ts.CallExpression): boolean {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !SQL_METHODS.has(callee.name.text)) return false;
    const decl = checker.getResolvedSignature(call)?.declaration ?? symbolOf(callee.name)?.declarations?.[0];
    if (!decl) return false;
    const file = path.resolve(decl.getSourceFile().fileName);
    const owner =
      decl.parent && (ts.isClassLike(decl.parent) || ts.isInterfaceDeclaration(decl.parent)) ? decl.parent.name?.text : undefined;
    if (STORE_FILES.some((f) => file === path.join(root, f))) return true;
    if (file.includes(`${path.sep}better-sqlite3${path.sep}`)) return owner !== 'Statement';
    if (file.includes(`${path.sep}@types${path.sep}pg${path.sep}`)) return callee.name.text === 'query';
    return false;
  }

  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && isDatabaseCall(n)) {
      let arg = n.arguments[0];
      if (arg && ts.isObjectLiteralExpression(arg)) {
        const text = arg.properties.find((p) => p.name?.getText(sf) === 'text');
        arg =
          text && ts.isPropertyAssignment(text) ? text.initializer : text && ts.isShorthandPropertyAssignment(text) ? text.name : undefined;
      }
      // pg-copy-streams: `query(copyTo(sql))` — the SQL is copyTo's argument.
      if (arg && ts.isCallExpression(arg) && ts.isIdentifier(arg.expression)) {
        const d = symbolOf(arg.expression)?.declarations?.[0];
        if (d && path.resolve(d.getSourceFile().fileName).includes(`${path.sep}pg-copy-streams${path.sep}`)) arg = arg.arguments[0];
      }
      if (arg && (forwardedByStore(arg) || migrationStep(arg))) out.forwarded.push(where(n));
      else {
        out.sites.push(where(n));
        if (!constant(arg))
          out.problems.push(`${where(n)}: ${n.expression.getText(sf)}(${arg?.getText(sf).slice(0, 80) ?? ''}) is not a constant`);
      }
    }
    const literal =
      ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && SQL_START.test(n.text)) ||
      (ts.isTemplateExpression(n) && SQL_START.test(n.head.text));
    if (literal) {
      // The whole `'… ' + value` chain the SQL text is part of.
      let top: ts.Expression = n as ts.Expression;
      while (ts.isBinaryExpression(top.parent) && top.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) top = top.parent;
      while (ts.isParenthesizedExpression(top.parent)) top = top.parent;
      if (!constant(top)) out.problems.push(`${where(n)}: SQL text built from a value`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
