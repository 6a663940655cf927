// The reference tally alone in its own process, for goal 8's load generator (bench/node-goals.ts):
// `node --import tsx bench/tally-server.ts DB_FILE`. Prints `READY <port>` once listening; stops
// on SIGTERM or when its parent goes away.
import { createAgencyServer } from '../server/app';

const dbFile = process.argv[2];
if (!dbFile) {
  console.error('usage: tally-server.ts DB_FILE');
  process.exit(2);
}
// Limits out of the way: the bench measures what the tally can store, not its rate limiter.
const agency = await createAgencyServer({
  quiet: true,
  demo: true,
  db: dbFile,
  rateLimit: { perMinute: 1e9, burst: 1e9 },
  enrollRateLimit: { perMinute: 1e9, burst: 1e9 },
  dailyCap: 1e9,
  // The load generator's events name the demo's posts on this feed address.
  feedUrls: ['https://diskominfo.example.go.id/feed.json'],
});
const { port } = await agency.listen(0, '127.0.0.1');
console.log(`READY ${port}`);
const stop = () => void agency.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
// A parent killed without a goodbye closes our stdin.
process.stdin.on('end', stop);
process.stdin.resume();
