import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for X's public oEmbed endpoint (https://publish.twitter.com/oembed), on loopback:
// the tally's verifier is pointed at it with the `oembedUrl` option. Each answer is chosen by the
// status number of the post asked about; every request is recorded, and also written to a shared
// log, so a test can tell what happened before what without measuring time.

export type OembedAnswer =
  | { status: 200; author: string }
  | { status: 200; body: string }
  | { status: 403 | 404 | 500 }
  /** Headers only after `ms`: past the verifier's timeout. */
  | { delayMs: number };

export interface OembedStandIn {
  /** The endpoint to give as `oembedUrl`. */
  url: string;
  /** Status number → what X answers. Unset numbers are answered 404. */
  answers: Map<string, OembedAnswer>;
  /** Post URLs asked about, in order (with the other query parameters). */
  requests: { postUrl: string; omitScript: string | null }[];
  close(): Promise<void>;
}

export async function startOembed(log: string[] = []): Promise<OembedStandIn> {
  const answers = new Map<string, OembedAnswer>();
  const requests: OembedStandIn['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const postUrl = url.searchParams.get('url') ?? '';
    requests.push({ postUrl, omitScript: url.searchParams.get('omit_script') });
    log.push(`oembed ${postUrl}`);
    const status = /\/status\/(\d+)/.exec(postUrl)?.[1] ?? '';
    const answer = answers.get(status) ?? { status: 404 };
    if ('delayMs' in answer) {
      const timer = setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, answer.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (answer.status !== 200) {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end('{"error":"stand-in"}');
      return;
    }
    const body =
      'body' in answer
        ? answer.body
        : JSON.stringify({
            url: postUrl,
            author_name: answer.author,
            author_url: `https://twitter.com/${answer.author}`,
            html: '<blockquote class="twitter-tweet">…</blockquote>',
            type: 'rich',
            provider_name: 'Twitter',
          });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oembed`,
    answers,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
