import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Harness } from '../../support/agency';

// Small HTTP pieces the server tests share: requests the fetch API cannot make (a declared body
// that never comes, a chosen local address, a half-sent body), studio logins through the form,
// and reading what the database keeps of a secret.

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A POST that declares `length` bytes of body and sends none. If the server waits for the body
 * instead of answering from the headers, the promise rejects after `patienceMs`.
 */
export function declared(
  origin: string,
  path: string,
  length: number,
  headers: Record<string, string> = {},
  patienceMs = 5000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${origin}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(patienceMs, () => {
      reject(new Error(`the server waited ${patienceMs} ms for a body of ${length} bytes it should have refused from the headers`));
      req.destroy();
    });
    req.flushHeaders();
  });
}

/** A GET from a chosen local address (127.0.0.2…), on a connection of its own. */
export function getFrom(origin: string, path: string, localAddress: string, patienceMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}${path}`, { agent: false, localAddress }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(patienceMs, () => {
      reject(new Error(`no answer within ${patienceMs} ms`));
      req.destroy();
    });
  });
}

/** A socket that has connected, with everything the server sent and whether (and how) it closed. */
export interface Probe {
  socket: net.Socket;
  data: () => string;
  closed: Promise<{ hadError: boolean }>;
  isClosed: () => boolean;
}

export function connect(port: number, localAddress?: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    let received = '';
    let done = false;
    const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    // A reset is one of the ways a refused connection ends; it is observed through `closed`.
    socket.on('error', () => undefined);
    const closed = new Promise<{ hadError: boolean }>((res) =>
      socket.once('close', (hadError) => {
        done = true;
        res({ hadError });
      }),
    );
    socket.once('connect', () => resolve({ socket, data: () => received, closed, isClosed: () => done }));
    socket.once('error', (e) => {
      if (!socket.connecting) return;
      reject(e);
    });
  });
}

/** Resolves when `probe` has read a whole HTTP/1.1 response with a Content-Length body. */
export async function readResponse(probe: Probe, patienceMs = 5000): Promise<string> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const text = probe.data();
    const head = text.indexOf('\r\n\r\n');
    if (head >= 0) {
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
      if (text.length >= head + 4 + length) return text;
    }
    if (probe.isClosed()) throw new Error(`connection closed before a whole response: ${JSON.stringify(text.slice(0, 200))}`);
    if (Date.now() > deadline) throw new Error('no whole response in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits for `promise`, failing after `ms` with `what` (a safety net, not a measurement). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
    }),
  ]);
}

/** A studio login through the page's form; the session cookie (`siar_session=…`) when it worked. */
export async function formLogin(
  h: Harness,
  user: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; cookie?: string; setCookie: string | null; res: Response }> {
  const res = await h.call('/login', { method: 'POST', headers, body: new URLSearchParams({ user, password }) });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, cookie: res.status === 303 && setCookie ? setCookie.split(';')[0] : undefined, setCookie, res };
}

/** The CSRF token of a page's forms. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Every table of the agency's database, in name order. */
export async function tableNames(h: Harness): Promise<string[]> {
  const rows =
    h.backend === 'sqlite'
      ? await h.agency.db.all<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
      : await h.agency.db.all<{ name: string }>(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
        );
  return rows.map((r) => r.name);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Page {
  path: string;
  status: number;
  headers: Headers;
  html: string;
}

/**
 * The HTML pages a logged-in user reaches from `start` by following same-origin links (GET only,
 * breadth first, at most `max` pages; each path once, whatever its query).
 */
export async function crawl(origin: string, cookie: string, start = '/', max = 40): Promise<Page[]> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0 && pages.length < max) {
    const path = queue.shift()!;
    const key = path.split('?')[0]!;
    if (seen.has(key)) continue;
    seen.add(key);
    const res = await fetch(new URL(path, origin), { headers: { cookie }, redirect: 'manual' });
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) {
      await res.arrayBuffer();
      continue;
    }
    const html = await res.text();
    pages.push({ path, status: res.status, headers: res.headers, html });
    for (const m of html.matchAll(/<a [^>]*href="([^"#]*)"/g)) {
      const href = m[1]!.replace(/&amp;/g, '&');
      const url = new URL(href, new URL(path, origin));
      if (url.origin !== new URL(origin).origin) continue;
      // Not pages: files, and the language switch (it sets a cookie and redirects).
      if (
        /\.(css|js|csv|png|jpe?g|webp|mp4|json|sig)$/.test(url.pathname) ||
        url.pathname.startsWith('/media/') ||
        url.pathname.includes('/lang')
      )
        continue;
      queue.push(url.pathname + url.search);
    }
  }
  return pages;
}
