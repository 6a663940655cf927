import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { DbBusyError } from './db/sql';

// The few HTTP pieces every module of the agency server shares: a router, JSON errors in the
// protocol's `{"error", "message"}` shape, and conditional GET.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Values of the `:name` segments of the route's path, URL-decoded. */
  params: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface Route {
  method: Method;
  /** `/media/:name`: a `:name` segment matches one non-empty path segment. */
  path: string;
  handler: Handler;
}

/** Thrown by a handler to answer with a protocol error instead of a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

/** Writes a complete response; HEAD gets the same headers and no body. */
export function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, bytes ? { ...headers, 'Content-Length': bytes.byteLength } : headers);
  res.end(res.req.method === 'HEAD' || status === 304 ? undefined : bytes);
}

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
};

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, { ...JSON_HEADERS, ...headers }, JSON.stringify(value));
}

/** The protocol's error shape: `{"error": "<code>", "message": "<text>"}`. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error: code, message }, headers);
}

/** Reads a request body, refusing more than `maxBytes` (413). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw new HttpError(413, 'too_large', `body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new HttpError(413, 'too_large', `body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** No request of the protocol nests deeper than this; anything deeper is refused unparsed. */
export const MAX_JSON_DEPTH = 8;

/**
 * How deeply `text` nests arrays and objects, counted without parsing (strings skipped), stopping
 * as soon as `limit` is passed: a body of a million `[` costs one linear scan, not a parse.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Reads a JSON request body, refusing more than `maxBytes` (413), deep nesting and bad JSON (400). */
export async function readJson(req: IncomingMessage, maxBytes: number, maxDepth = MAX_JSON_DEPTH): Promise<unknown> {
  const text = (await readBody(req, maxBytes)).toString('utf8');
  if (jsonDepthExceeds(text, maxDepth)) {
    throw new HttpError(400, 'too_deep', `JSON nested deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_json', 'request body is not JSON');
  }
}

/** Reads a plain HTML form post (`application/x-www-form-urlencoded`). */
export async function readForm(req: IncomingMessage, maxBytes: number): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, maxBytes)).toString('utf8'));
}

/** A strong validator: the same bytes always give the same tag, across restarts too. */
export function etagOf(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;
}

/**
 * Whether a GET/HEAD may be answered 304 (RFC 9110 §13.2.2): If-None-Match decides when present,
 * If-Modified-Since only otherwise.
 */
export function isNotModified(req: IncomingMessage, etag: string, lastModified?: number): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    // If-None-Match uses the weak comparison: a `W/` prefix does not matter.
    return inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  }
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds; anything finer would never compare equal.
  if (lastModified === undefined || Number.isNaN(ims)) return false;
  return Math.floor(lastModified / 1000) * 1000 <= ims;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

/**
 * A request listener dispatching to `routes`. HEAD is served by the GET route; a known path with
 * the wrong method is 405, an unknown one 404, a thrown error 500 — all as protocol JSON.
 */
export function createRouter(routes: Route[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const compiled = routes.map(compile);
  return async (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      // Joined rather than resolved: `//host/x` must stay a path, not become another origin.
      const target = req.url ?? '';
      if (!target.startsWith('/')) {
        throw new HttpError(400, 'bad_request', 'request target must be a path');
      }
      const url = new URL(`http://agency.invalid${target}`);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const allowed = new Set<string>();
      for (const route of compiled) {
        const match = route.pattern.exec(url.pathname);
        if (!match) continue;
        if (route.method !== method) {
          allowed.add(route.method === 'GET' ? 'GET, HEAD' : route.method);
          continue;
        }
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeURIComponent(match[i + 1]!);
        });
        await route.handler({ req, res, url, params });
        return;
      }
      if (allowed.size > 0) {
        const Allow = [...allowed].join(', ');
        const message = `${req.method} is not allowed here`;
        throw new HttpError(405, 'method_not_allowed', message, { Allow });
      }
      throw new HttpError(404, 'not_found', `no such resource: ${url.pathname}`);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The client went away, or node cut it off (the request timeout answers 408 itself):
      // nobody is left to answer, and it is no fault of the server's.
      if (req.socket.destroyed && (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET') return;
      if (error instanceof HttpError) {
        sendError(res, error.status, error.code, error.message, error.headers);
      } else if (error instanceof DbBusyError) {
        // Nothing was written: the client may simply come back.
        sendError(res, 503, 'unavailable', error.message, { 'Retry-After': '5' });
      } else if (error instanceof URIError) {
        sendError(res, 400, 'bad_request', 'malformed percent-encoding in the path');
      } else {
        console.error('siar-server: handler failed:', error);
        sendError(res, 500, 'internal', 'internal server error');
      }
    }
  };
}
