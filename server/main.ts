// The demo agency server alone (feed, tally and dashboard): `npm run serve`.
// Environment: see server/README.md (SIAR_PORT, SIAR_HOST, SIAR_BASE_URL, SIAR_FEED_FILE, SIAR_DB,
// SIAR_ENROLL_CODES, SIAR_ADMIN_USER, SIAR_ADMIN_PASSWORD, SIAR_RATE_PER_MINUTE, SIAR_RATE_BURST,
// SIAR_UTC_OFFSET).
import { closeOnSignals, configFromEnv, describeServer, startFromConfig } from './env';

try {
  const config = configFromEnv();
  const agency = await startFromConfig(config);
  closeOnSignals(agency);
  console.log('Siar: server agensi demo berjalan / demo agency server running.');
  console.log(describeServer(agency, config));
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`Siar: server tidak dapat dijalankan / the server could not start: ${reason}`);
  process.exit(1);
}
