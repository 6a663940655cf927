// The agency server alone: `npm run serve`. Environment: server/README.md. Outside a demo
// (SIAR_DEMO=1) a new database needs SIAR_ADMIN_PASSWORD and SIAR_ENROLL_CODES.
import { closeOnSignals, configFromEnv, describeServer, startFromConfig } from './env';

try {
  const config = configFromEnv();
  const agency = await startFromConfig(config);
  closeOnSignals(agency);
  console.log(config.demo ? 'Siar: server agensi DEMO berjalan / DEMO agency server running.' : 'Siar: server agensi berjalan / agency server running.');
  console.log(describeServer(agency, config));
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`Siar: server tidak dapat dijalankan / the server could not start: ${reason}`);
  process.exit(1);
}
