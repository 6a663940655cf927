import { describe, expect, it } from 'vitest';
import { BACKENDS, startAgency } from '../support/agency';

describe.each(BACKENDS)('the agency server on %s', (backend) => {
  it('serves the demo feed and logs a demo account in', async () => {
    const s = await startAgency(backend);
    try {
      const feed = await s.call('/feed.json');
      expect(feed.status).toBe(200);
      const token = await s.login('penyetuju');
      expect((await s.api(token, 'GET', '/feed')).body).toMatchObject({ version: 1, signed: true, mode: 'online' });
    } finally {
      await s.close();
    }
  });
});
