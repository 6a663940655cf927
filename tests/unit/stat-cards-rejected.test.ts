// @vitest-environment happy-dom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { StatCards } from '@/components/stats/StatCards';

// Refused events are shown apart from the figures the agency counts. The fake i18n answers
// `key|sub`, so the words are checked by key.
describe('StatCards and refused events', () => {
  const root = document.createElement('div');
  afterEach(() => render(null, root));
  const stats = { posted: 3, attempts: 1, thisWeek: 1, streakDays: 1, events: 6 };

  it('names the refused ones on a line of their own', () => {
    render(h(StatCards, { stats: { ...stats, rejected: 2 }, formatNumber: String }), root);
    expect(root.querySelector('.stats-rejected')?.textContent).toBe('stats_rejected|2');
    expect([...root.querySelectorAll('.stat-card dd')].map((d) => d.textContent)).toEqual(['3', '1', '1', '1']);
  });

  it('says nothing about them when there are none', () => {
    render(h(StatCards, { stats: { ...stats, rejected: 0 }, formatNumber: String }), root);
    expect(root.querySelector('.stats-rejected')).toBeNull();
  });
});
