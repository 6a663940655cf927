// The demo agency server alone: `tsx server/main.ts`.
// Environment: SIAR_PORT (8787), SIAR_HOST (127.0.0.1), SIAR_BASE_URL (http://localhost:<port>),
// SIAR_FEED_FILE (a feed JSON to serve instead of the demo).
import { closeOnSignals, configFromEnv, startFromConfig } from './env';

try {
  const agency = await startFromConfig(configFromEnv());
  closeOnSignals(agency);
  const feed = `${agency.base}/feed.json`;
  console.log(`Siar: server agensi demo berjalan / demo agency server running: ${feed}`);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`Siar: server tidak dapat dijalankan / the server could not start: ${reason}`);
  process.exit(1);
}
