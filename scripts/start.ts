// `npm start`: builds the extension for Chrome and Firefox against the demo feed, then runs the
// demo agency server (feed, tally, dashboard). `--no-build` skips the builds. Same environment as
// `server/main.ts` (server/README.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { closeOnSignals, configFromEnv, describeServer, startFromConfig } from '../server/env';
import type { AgencyServer } from '../server/app';
import { loadOrCreateSigningKey } from '../server/signing';

const root = fileURLToPath(new URL('..', import.meta.url));
// `npm start` is the demo: it seeds Kabupaten Contoh and says so everywhere.
const config = configFromEnv(process.env, { demo: true });
// The feed origin is baked into the build's host permissions, so it must be the one served here.
const base = config.baseUrl?.replace(/\/+$/, '') ?? `http://localhost:${config.port}`;
const feedUrl = `${base}/feed.json`;
// The build trusts only feeds signed with the agency's key: the same key the server signs with.
const publicKey = loadOrCreateSigningKey(config.signingKeyFile).publicKey;
const buildEnv = { WXT_SIAR_FEED_URL: feedUrl, WXT_SIAR_FEED_PUBLIC_KEY: publicKey };

let building: ChildProcess | undefined;
// Until the server runs, Ctrl+C / SIGTERM stop the build too, not just this process.
const abortBuild = (signal: NodeJS.Signals) => {
  building?.kill(signal);
  process.exit(signal === 'SIGINT' ? 130 : 143);
};

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    console.log(`\n$ WXT_SIAR_FEED_URL=${feedUrl} WXT_SIAR_FEED_PUBLIC_KEY=${publicKey} ${command} ${args.join(' ')}`);
    building = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...buildEnv },
      // npx is a .cmd script on Windows, which only a shell can start.
      shell: process.platform === 'win32',
    });
    building.on('error', reject);
    building.on('exit', (code, signal) => {
      building = undefined;
      const how = signal ?? `exit code ${code}`;
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${how})`));
    });
  });
}

function instructions(agency: AgencyServer): string {
  const chrome = join(root, '.output', 'chrome-mv3');
  const firefox = join(root, '.output', 'firefox-mv2', 'manifest.json');
  return `
Siar — server agensi demo "Kabupaten Contoh" berjalan / is running.
${describeServer(agency, config)}

Memasang ekstensi:
  Chrome:  buka chrome://extensions → aktifkan "Mode pengembang" → "Muat yang belum dibuka"
           → pilih folder ${chrome}
  Firefox: buka about:debugging#/runtime/this-firefox → "Muat Pengaya Sementara…"
           → pilih ${firefox}
Tekan Ctrl+C untuk berhenti.

Loading the extension:
  Chrome:  open chrome://extensions → turn on "Developer mode" → "Load unpacked"
           → choose the folder ${chrome}
  Firefox: open about:debugging#/runtime/this-firefox → "Load Temporary Add-on…"
           → choose ${firefox}
Press Ctrl+C to stop.
`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--no-build');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (only --no-build)`);
  if (!args.includes('--no-build')) {
    process.on('SIGINT', abortBuild);
    process.on('SIGTERM', abortBuild);
    await run('npx', ['wxt', 'build']);
    await run('npx', ['wxt', 'build', '-b', 'firefox']);
    process.off('SIGINT', abortBuild);
    process.off('SIGTERM', abortBuild);
  }
  const agency = await startFromConfig(config);
  closeOnSignals(agency);
  console.log(instructions(agency));
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`\nSiar: gagal / failed: ${reason}`);
  process.exit(1);
});
