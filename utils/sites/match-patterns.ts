/** The match patterns of a site's composer pages: its hosts, over https, every path. */
export function matchPatterns(hosts: readonly string[]): string[] {
  return hosts.map((host) => `https://${host}/*`);
}
