// The agency server: `npm run serve`. Environment: server/README.md. Outside a demo
// (SIAR_DEMO=1) a new database needs SIAR_ADMIN_PASSWORD and SIAR_ENROLL_CODES.
// SIAR_WORKERS=N starts N server processes sharing the port: state lives in the database (use
// PostgreSQL for more than one), so any of them may answer any request.
import cluster from 'node:cluster';
import { isPostgresUrl } from './db/database';
import { closeOnSignals, configFromEnv, describeServer, startFromConfig } from './env';

function fail(error: unknown): never {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`Siar: server tidak dapat dijalankan / the server could not start: ${reason}`);
  process.exit(1);
}

async function serve(banner: boolean): Promise<void> {
  const config = configFromEnv();
  const agency = await startFromConfig(config, !banner && process.env.SIAR_LOG !== '1');
  closeOnSignals(agency);
  if (banner) {
    console.log(
      config.demo
        ? 'Siar: server agensi DEMO berjalan / DEMO agency server running.'
        : 'Siar: server agensi berjalan / agency server running.',
    );
    console.log(describeServer(agency, config));
  }
  process.send?.({ siar: 'ready', port: agency.server.address() && (agency.server.address() as { port: number }).port });
}

try {
  const config = configFromEnv();
  if (config.workers > 1 && cluster.isPrimary) {
    if (!isPostgresUrl(config.db)) {
      console.warn(
        'Peringatan / warning: several workers on one SQLite file take turns writing; use SIAR_DATABASE_URL (PostgreSQL) for more than one.',
      );
    }
    // The first worker prepares an empty database (migrations, first admin, demo); the others
    // start after it, so nothing is done twice.
    const first = cluster.fork({ SIAR_WORKER: '1' });
    const ready = new Set<number>();
    cluster.on('message', (worker, message: { siar?: string }) => {
      if (message?.siar !== 'ready') return;
      ready.add(worker.id);
      if (worker === first) for (let i = 2; i <= config.workers; i++) cluster.fork({ SIAR_WORKER: String(i) });
      if (ready.size === config.workers) {
        console.log(`Siar: ${config.workers} proses server berjalan / ${config.workers} server processes running.`);
        process.send?.({ ...message, workers: config.workers });
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      if (signal === 'SIGTERM' || signal === 'SIGINT' || code === 0) return;
      // A worker that never started will not start the next time either: stop rather than loop.
      if (!ready.has(worker.id)) fail(new Error(`a server process could not start (exit ${signal ?? code})`));
      ready.delete(worker.id);
      console.error(`Siar: worker ${worker.process.pid} stopped (${signal ?? code}); starting another.`);
      cluster.fork();
    });
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    await serve(!cluster.isWorker || process.env.SIAR_WORKER === '1');
  }
} catch (error) {
  fail(error);
}
