// Links from a feed are opened, fetched or shared, so only https is trusted; plain http is allowed
// for loopback alone, where a developer runs a demo agency.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isAllowedUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:') return u.hostname.length > 0;
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
}

/** The host permission pattern that lets the extension read `url` (patterns carry no port). */
export function permissionPattern(value: string): string | undefined {
  if (!isAllowedUrl(value)) return undefined;
  const u = new URL(value);
  return `${u.protocol}//${u.hostname}/*`;
}
