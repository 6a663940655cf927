// A keep-alive HTTP/1.1 client on bare sockets, for the open loop's 1,500 requests a second. The
// load generator shares the machine's two cores with the server it measures: node:http's client
// (agent, request object, header parsing, streams) costs it several times what writing one
// prepared request head and reading one reply does, and every cycle the generator spends is
// taken from the server. It speaks only what the open loop needs: one request at a time per
// connection (no pipelining, like a browser), replies with Content-Length or chunked bodies.
import net from 'node:net';
import type { Reply } from './http';

interface Pending {
  resolve: (r: Reply) => void;
  t0: number;
  timer: NodeJS.Timeout;
  /** The connection it went out on; none while it waits for one. */
  conn?: Connection;
}

/** Where a reply's head ends and what it says about the body. */
interface Head {
  status: number;
  bodyStart: number;
  /** Content-Length, or -1 for a chunked body. */
  length: number;
  close: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

export function parseHead(buf: Buffer): Head | undefined {
  const end = buf.indexOf(CRLF2);
  if (end === -1) return undefined;
  const text = buf.toString('latin1', 0, end);
  const status = Number(text.slice(9, 12));
  let length = 0;
  let close = false;
  for (const line of text.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding' && value.includes('chunked')) length = -1;
    else if (name === 'connection' && value === 'close') close = true;
  }
  return { status, bodyStart: end + 4, length, close };
}

/** A chunked body, decoded, once it is complete; undefined while it is not. */
export function dechunk(buf: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol === -1) return undefined;
    const size = parseInt(buf.toString('latin1', at, eol), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size at ${at}`);
    if (size === 0) {
      if (buf.length < eol + 4) return undefined;
      return { body: Buffer.concat(parts), end: eol + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private head: Head | undefined;
  pending: Pending | undefined;
  dead = false;

  constructor(
    readonly socket: net.Socket,
    private readonly onFree: (c: Connection) => void,
    private readonly onDead: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    const gone = (why: string) => {
      if (this.dead) return;
      this.dead = true;
      this.finish({ status: 0, body: why, headers: {} });
      this.onDead(this);
    };
    socket.on('error', (e) => gone(e.message));
    socket.on('close', () => gone('socket closed'));
  }

  send(request: string, pending: Pending): void {
    this.pending = pending;
    this.socket.write(request);
  }

  private data(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.head ??= parseHead(this.buf);
    const head = this.head;
    if (!head) return;
    let body: Buffer;
    let end: number;
    if (head.length >= 0) {
      end = head.bodyStart + head.length;
      if (this.buf.length < end) return;
      body = this.buf.subarray(head.bodyStart, end);
    } else {
      if (this.buf.indexOf(CHUNKED_END, head.bodyStart) === -1) return;
      const got = dechunk(this.buf, head.bodyStart);
      if (!got) return;
      ({ body, end } = got);
    }
    const reply = { status: head.status, body: body.toString('utf8'), headers: {} };
    this.buf = this.buf.subarray(end);
    this.head = undefined;
    this.finish(reply);
    if (head.close) this.socket.destroy();
    else this.onFree(this);
  }

  private finish(r: Omit<Reply, 'ms'>): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve({ ...r, ms: performance.now() - p.t0 });
  }
}

/** Per local address: idle connections, how many are open, and requests waiting for one. */
interface Pool {
  address: string;
  idle: Connection[];
  open: number;
  queue: { request: string; pending: Pending }[];
}

export class LeanClient {
  private readonly pools = new Map<number, Pool>();
  private readonly hostHeader: string;

  constructor(
    private readonly port: number,
    /** Connections per address at most (the server allows 100 a client address). */
    private readonly perAddress = 80,
  ) {
    this.hostHeader = `127.0.0.1:${port}`;
  }

  /** The same addresses as `Client.agent(k)`: 127.0.0.2, 127.0.0.3, … */
  private pool(k: number): Pool {
    let pool = this.pools.get(k);
    if (!pool) {
      pool = { address: `127.0.${Math.floor(k / 250)}.${2 + (k % 250)}`, idle: [], open: 0, queue: [] };
      this.pools.set(k, pool);
    }
    return pool;
  }

  request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string; from?: number; timeoutMs?: number } = {},
  ): Promise<Reply> {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const [k, v] of Object.entries(opts.headers ?? {})) head += `${k}: ${v}\r\n`;
    if (opts.body !== undefined) head += `content-length: ${Buffer.byteLength(opts.body)}\r\n`;
    const request = `${head}\r\n${opts.body ?? ''}`;
    const pool = this.pool(opts.from ?? 0);
    return new Promise((resolve) => {
      const pending: Pending = { resolve, t0: performance.now(), timer: undefined as unknown as NodeJS.Timeout };
      pending.timer = setTimeout(() => {
        // A request still queued has no socket to cut: it is answered here and skipped later.
        const queued = pool.queue.findIndex((q) => q.pending === pending);
        if (queued !== -1) {
          pool.queue.splice(queued, 1);
          resolve({ status: 0, ms: performance.now() - pending.t0, body: 'timeout', headers: {} });
        } else {
          pending.conn?.socket.destroy(new Error('timeout'));
        }
      }, opts.timeoutMs ?? 60_000);
      this.dispatch(pool, request, pending);
    });
  }

  private readonly busy = new Set<Connection>();

  private dispatch(pool: Pool, request: string, pending: Pending): void {
    const idle = pool.idle.pop();
    if (idle) return this.sendOn(idle, request, pending);
    if (pool.open >= this.perAddress) {
      pool.queue.push({ request, pending });
      return;
    }
    pool.open++;
    const socket = net.connect({ host: '127.0.0.1', port: this.port, localAddress: pool.address });
    const conn = new Connection(
      socket,
      (c) => {
        this.busy.delete(c);
        const next = pool.queue.shift();
        if (next) this.sendOn(c, next.request, next.pending);
        else pool.idle.push(c);
      },
      (c) => {
        this.busy.delete(c);
        pool.open--;
        const i = pool.idle.indexOf(c);
        if (i !== -1) pool.idle.splice(i, 1);
        const next = pool.queue.shift();
        if (next) this.dispatch(pool, next.request, next.pending);
      },
    );
    this.sendOn(conn, request, pending);
  }

  private sendOn(c: Connection, request: string, pending: Pending): void {
    this.busy.add(c);
    pending.conn = c;
    c.send(request, pending);
  }

  close(): void {
    for (const pool of this.pools.values()) {
      for (const c of pool.idle) c.socket.destroy();
      pool.idle = [];
    }
    for (const c of this.busy) c.socket.destroy();
    this.pools.clear();
  }
}
