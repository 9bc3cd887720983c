import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { seedExchange } from '../../support/admin-seed.js';

interface Spec {
  id: string;
  labels: string[];
  series: { label: string; data: (number | null)[] }[];
}

const chartsOf = (html: string): Spec[] =>
  [...html.matchAll(/data-chart="([^"]+)"/g)].map(([, json]) => JSON.parse(json!.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#39;', "'")) as Spec);

// The clock says 2026-11-25 12:00 UTC: 2026-11-26 01:00 in Auckland (UTC+13 in its summer).
async function anAucklandNight() {
  const app = await anAdminApp();
  const late = await seedExchange(app, { receivedAt: Date.UTC(2026, 10, 25, 10, 30) }); // 23:30 on the 25th in Auckland
  const early = await seedExchange(app, { receivedAt: Date.UTC(2026, 10, 25, 11, 30) }); // 00:30 on the 26th
  return { ...app, late, early };
}

describe('admin time zone', () => {
  it('labels the overview by the local days of the chosen zone and counts each message in its local day', async () => {
    const { signedIn } = await anAucklandNight();
    const html = await (await (await signedIn()).get('/admin?days=7&tz=Pacific/Auckland')).text();

    const messages = chartsOf(html).find((chart) => chart.id === 'messages')!;
    expect(messages.labels).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    expect(messages.series[0]!.data.slice(-2)).toEqual([1, 1]);
    expect(html).toContain('2026-11-20 00:00 Pacific/Auckland – 2026-11-27 00:00 Pacific/Auckland');
    expect(html).toContain('<option value="Pacific/Auckland" selected="">Pacific/Auckland</option>');
    expect(html).toContain('href="/admin?days=30&amp;tz=Pacific%2FAuckland"');
  });

  it('shows UTC days without a choice, as before', async () => {
    const { signedIn } = await anAucklandNight();
    const html = await (await (await signedIn()).get('/admin?days=7')).text();

    const messages = chartsOf(html).find((chart) => chart.id === 'messages')!;
    expect(messages.labels.at(-1)).toBe('2026-11-25');
    expect(messages.series[0]!.data.slice(-2)).toEqual([0, 2]);
    expect(html).toContain('2026-11-19 00:00 UTC – 2026-11-26 00:00 UTC');
  });

  it('remembers the zone for the conversations and the transcript pages', async () => {
    const { signedIn, early } = await anAucklandNight();
    const browser = await signedIn();
    await browser.get('/admin?tz=Asia/Kolkata');

    const list = await (await browser.get('/admin/conversations')).text();
    const transcript = await (await browser.get(`/admin/conversations/${early.conversationId}`)).text();

    expect(list).toContain('2026-11-25 17:00 Asia/Kolkata');
    expect(transcript).toContain('2026-11-25 17:00 Asia/Kolkata');
    expect(transcript).not.toContain(' UTC');
  });

  it('falls back to UTC, with no error page, when the zone is not one', async () => {
    const { signedIn } = await anAucklandNight();
    const browser = await signedIn();
    await browser.get('/admin?tz=Europe/Berlin');

    const response = await browser.get('/admin?days=7&tz=Mars/Olympus');
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(chartsOf(html).find((chart) => chart.id === 'messages')!.labels.at(-1)).toBe('2026-11-25');
    expect(html).toContain('<option value="UTC" selected="">UTC</option>');
    expect(html).not.toContain('Mars');
  });
});
