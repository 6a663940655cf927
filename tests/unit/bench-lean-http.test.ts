// @vitest-environment node
// The bench's lean HTTP client (bench/scale/lean-http.ts) measures the open-loop goal, so what it
// reports must be what the server answered: status and body, whatever framing, over reused and
// renewed connections, from the address it was told, and a timeout as no answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanClient, dechunk } from '../../bench/scale/lean-http';

let server: http.Server;
let port: number;
const peers = new Set<string>();
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    peers.add(req.socket.remoteAddress ?? '');
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.write('ab');
        setTimeout(() => res.end('cdé'), 5);
      } else if (req.url === '/close') {
        res.writeHead(200, { connection: 'close' });
        res.end('bye');
      } else if (req.url === '/never') {
        // no answer
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body }));
      }
    });
  });
  server.keepAliveTimeout = 200;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('lean HTTP client', () => {
  it('sends method, path, headers and body, and reads a Content-Length reply', async () => {
    const c = new LeanClient(port);
    const r = await c.request('POST', '/v1/shares', { headers: { authorization: 'Bearer t' }, body: '{"ü":1}', from: 3 });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ method: 'POST', url: '/v1/shares', auth: 'Bearer t', body: '{"ü":1}' });
    expect(peers.has('127.0.0.5')).toBe(true);
    c.close();
  });

  it('reads a chunked reply, and reuses one connection for requests one after another', async () => {
    const c = new LeanClient(port);
    sockets.clear();
    for (let i = 0; i < 3; i++) {
      const r = await c.request('GET', '/chunked');
      expect(r).toMatchObject({ status: 201, body: 'abcdé' });
    }
    expect(sockets.size).toBe(1);
    c.close();
  });

  it('answers requests at once over several connections, and opens a new one after the server closed one', async () => {
    const c = new LeanClient(port, 4);
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => c.request('GET', `/n${i}`)));
    expect(many.map((r) => JSON.parse(r.body).url)).toEqual(Array.from({ length: 12 }, (_, i) => `/n${i}`));
    expect((await c.request('GET', '/close')).body).toBe('bye');
    await new Promise((r) => setTimeout(r, 400)); // past the server's keep-alive: it closed the idle ones
    expect((await c.request('GET', '/after')).status).toBe(200);
    c.close();
  });

  it('gives a request the server never answers status 0 at its timeout', async () => {
    const c = new LeanClient(port);
    const r = await c.request('GET', '/never', { timeoutMs: 100 });
    expect(r.status).toBe(0);
    expect(r.body).toMatch(/timeout/);
    c.close();
  });

  it('decodes a chunked body only once it is complete', () => {
    const whole = Buffer.from('2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n');
    expect(dechunk(whole.subarray(0, 12), 0)).toBeUndefined();
    expect(dechunk(whole, 0)).toEqual({ body: Buffer.from('abcde'), end: whole.length });
  });
});
