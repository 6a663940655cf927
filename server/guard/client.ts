import type { IncomingMessage } from 'node:http';

// The client's address, for limits per address. Behind a reverse proxy every request comes from
// the proxy, so with SIAR_TRUST_PROXY=N the address is read from X-Forwarded-For, N hops from the
// right (the entry the agency's own proxy wrote; anything further left the client can forge).

export function clientAddress(req: IncomingMessage, trustedProxies = 0): string {
  const socket = req.socket.remoteAddress ?? '';
  if (trustedProxies <= 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops[hops.length - trustedProxies] ?? hops[0] ?? socket;
}
