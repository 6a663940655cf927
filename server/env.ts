import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFeedText } from '../utils/protocol/feed';
import { createAgencyServer, type AgencyServer } from './app';

// Configuration from the environment, shared by `server/main.ts` and `scripts/start.ts`.

export interface EnvConfig {
  port: number;
  host: string;
  baseUrl?: string;
  feedFile?: string;
}

export const DEFAULT_PORT = 8787;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const port = Number(env.SIAR_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIAR_PORT is not a port: ${env.SIAR_PORT}`);
  }
  return {
    port,
    host: env.SIAR_HOST || '127.0.0.1',
    baseUrl: env.SIAR_BASE_URL || undefined,
    feedFile: env.SIAR_FEED_FILE ? resolve(env.SIAR_FEED_FILE) : undefined,
  };
}

/** Starts the server as configured. A feed file is re-read on every request: edits show at once. */
export async function startFromConfig(config: EnvConfig, quiet = false): Promise<AgencyServer> {
  const { feedFile } = config;
  if (feedFile) {
    // Served as it is even when broken (that is a useful test), but say so up front.
    const checked = parseFeedText(await readFile(feedFile, 'utf8'));
    const problem = !checked.ok
      ? `not a valid feed: ${JSON.stringify(checked.problem)}`
      : checked.feed.dropped > 0 && `${checked.feed.dropped} item(s) break the schema`;
    if (problem) console.warn(`Peringatan / warning: ${feedFile}: ${problem}`);
  }
  const agency = createAgencyServer({
    baseUrl: config.baseUrl,
    feed: feedFile ? () => readFile(feedFile) : undefined,
    quiet,
  });
  await agency.listen(config.port, config.host);
  return agency;
}

/** Closes the server on Ctrl+C / SIGTERM; a second signal exits at once. */
export function closeOnSignals(agency: AgencyServer): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`\n${signal}: server dihentikan / server stopped.`);
    agency.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
