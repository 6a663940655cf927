import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

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

/**
 * The network an address belongs to, for counting guesses: an IPv4 address's /24, an IPv6
 * address's /64. One IPv6 host commonly holds a whole /64, so counting per address alone would let
 * it change address at every guess.
 */
export function networkOf(address: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
