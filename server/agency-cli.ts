// `npm run agency -- keygen [--out key.pem]` makes an Ed25519 key pair for signing the feed;
// `npm run agency -- sign feed.json [--key key.pem]` writes feed.json.sig next to it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSigningKey, privateKeyPem, signFeed, signingKeyFromPem } from './signing';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'keygen') {
    const out = option(args, '--out', 'siar-signing-key.pem');
    if (existsSync(out)) throw new Error(`${out} already exists; refusing to overwrite a key`);
    const key = generateSigningKey();
    writeFileSync(out, privateKeyPem(key), { mode: 0o600 });
    console.log(`Kunci privat / private key: ${out} (simpan rahasia / keep it secret)`);
    console.log(`Kunci publik feed / feed public key: ${key.publicKey}`);
  } else if (command === 'sign') {
    const feed = args.find((a) => !a.startsWith('--') && a !== option(args, '--key', ''));
    if (!feed) throw new Error('usage: sign <feed.json> [--key key.pem]');
    const key = signingKeyFromPem(readFileSync(option(args, '--key', 'siar-signing-key.pem'), 'utf8'));
    writeFileSync(`${feed}.sig`, signFeed(readFileSync(feed), key));
    console.log(`${feed}.sig ditulis / written (kunci publik / public key ${key.publicKey})`);
  } else {
    console.log('Siar agency tools:\n  keygen [--out key.pem]\n  sign <feed.json> [--key key.pem]');
    process.exit(command ? 2 : 0);
  }
} catch (error) {
  console.error(`Siar: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
