import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startAdminServer, type AdminServer } from '../support/admin-server.js';
import { seedExchange, type SeededExchange } from '../support/admin-seed.js';
import { launchChromium, screenshot } from '../support/browser.js';

const DAY = 24 * 3600_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface DrawnChart {
  id: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  painted: number;
}

/** Every chart on the page as Chart.js holds it, and how many pixels it painted. */
const drawnCharts = (page: Page): Promise<DrawnChart[]> =>
  page.evaluate(() => {
    const g = globalThis as any;
    return [...g.document.querySelectorAll('canvas[data-chart]')].map((canvas: any) => {
      const chart = g.Chart.getChart(canvas);
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data as Uint8ClampedArray;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted += 1;
      return { id: canvas.id, labels: chart.data.labels, datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data })), painted };
    });
  });

const chartsReady = (page: Page) =>
  page.waitForFunction(() => {
    const g = globalThis as any;
    const canvases = [...g.document.querySelectorAll('canvas[data-chart]')];
    return canvases.length === 4 && canvases.every((canvas) => g.Chart?.getChart(canvas));
  });

describe('admin dashboard in Chromium', () => {
  let server: AdminServer;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let attacker: Server;
  const seeded: (SeededExchange & { receivedAt: number; failed?: boolean; prompt: number })[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startAdminServer(), launchChromium()]);
    const now = Date.now();
    const specs = [
      { receivedAt: now - 60_000, latencyMs: 1200, usage: { prompt: 300, completion: 50 }, costUsd: 0.25, text: 'Do you deliver to Altona?', replyText: 'Yes, every Tuesday.' },
      { receivedAt: now - 120_000, latencyMs: 800, usage: { prompt: 200, completion: 40 }, costUsd: 0.5 },
      { receivedAt: now - DAY, latencyMs: 1000, usage: { prompt: 100, completion: 20 }, costUsd: 0.1 },
      { receivedAt: now - 3 * DAY, failed: true },
    ];
    for (const spec of specs) {
      const exchange = await seedExchange({ chat: server.stores.chat, analytics: server.stores.analytics }, spec);
      seeded.push({ ...exchange, receivedAt: spec.receivedAt, ...(spec.failed ? { failed: true } : {}), prompt: spec.usage?.prompt ?? 0 });
    }
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      // HTTP error statuses are asserted where they are expected; anything else (a CSP refusal) is a problem.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    attacker?.close();
    await browser?.close();
    await server?.stop();
  });

  it('signs in and draws the four charts from the seeded interactions', async () => {
    await page.goto(`${server.baseUrl}/admin`);
    expect(page.url()).toBe(`${server.baseUrl}/admin/login`);
    await page.fill('input[name=email]', server.email);
    await page.fill('input[name=password]', server.password);
    await Promise.all([page.waitForURL(`${server.baseUrl}/admin`), page.click('button:has-text("Sign in")')]);
    const cookie = (await browser.context.cookies(server.baseUrl)).find((c) => c.name === '__Host-vocoeng_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });

    await chartsReady(page);
    const charts = await drawnCharts(page);
    expect(charts.map((c) => c.id)).toEqual(['chart-messages', 'chart-latency', 'chart-tokens', 'chart-failures']);
    for (const chart of charts) expect(chart.painted, chart.id).toBeGreaterThan(1000);
    const [messages, latency, tokens, failures] = charts as [DrawnChart, DrawnChart, DrawnChart, DrawnChart];
    const perDay = (f: (s: (typeof seeded)[number]) => number) => messages.labels.map((day) => seeded.filter((s) => dayOf(s.receivedAt) === day).reduce((sum, s) => sum + f(s), 0));
    expect(messages.labels).toHaveLength(30);
    expect(messages.datasets.map((d) => d.label)).toEqual(['In', 'Answered']);
    expect(messages.datasets[0]!.data).toEqual(perDay(() => 1));
    expect(messages.datasets[1]!.data).toEqual(perDay((s) => (s.failed ? 0 : 1)));
    expect(tokens.datasets[0]!.data).toEqual(perDay((s) => s.prompt));
    expect(failures.datasets[0]!.data).toEqual(perDay((s) => (s.failed ? 1 : 0)));
    const today = messages.labels.indexOf(dayOf(seeded[0]!.receivedAt));
    expect(latency.datasets.map((d) => d.label)).toEqual(['p50', 'p95', 'p99']);
    expect(latency.datasets[2]!.data[today]).toBeGreaterThanOrEqual(1188);
    expect(latency.datasets[2]!.data[today]).toBeLessThanOrEqual(1212);
    await expect(page.locator('.stat', { hasText: 'Messages in' }).locator('strong').textContent()).resolves.toBe('4');
    await screenshot(page, 'admin-overview');
  });

  it('fits the overview on a 390 px wide phone screen', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${server.baseUrl}/admin`);
    await chartsReady(phone);
    expect(await phone.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'admin-overview-390x844', { fullPage: false });
    await phone.close();
  });

  it('opens the transcript of a conversation from the list', async () => {
    await page.click('nav[aria-label=Main] a:has-text("Conversations")');
    await page.click(`a[data-conversation="${seeded[0]!.conversationId}"]`);
    await page.waitForURL(`**/admin/conversations/${seeded[0]!.conversationId}`);
    await expect(page.locator('.bubble.user').first().textContent()).resolves.toContain('Do you deliver to Altona?');
    await expect(page.locator('.bubble.bot').first().textContent()).resolves.toContain('Yes, every Tuesday.');
    await screenshot(page, 'admin-transcript');
  });

  it('shows local days and times after a time zone is chosen on the overview', async () => {
    await page.goto(`${server.baseUrl}/admin`);
    await page.selectOption('select[name=tz]', 'Asia/Kolkata');
    await Promise.all([page.waitForURL('**/admin?days=30&tz=Asia%2FKolkata'), page.click('form.time-zone button')]);
    await chartsReady(page);
    const kolkataDay = (ms: number) => new Date(ms + 5.5 * 3600_000).toISOString().slice(0, 10);
    const [messages] = (await drawnCharts(page)) as [DrawnChart];
    expect(messages.labels.at(-1)).toBe(kolkataDay(Date.now()));
    expect(messages.datasets[0]!.data).toEqual(messages.labels.map((day) => seeded.filter((s) => kolkataDay(s.receivedAt) === day).length));

    await page.click('nav[aria-label=Main] a:has-text("Conversations")');
    await expect(page.locator(`a[data-conversation="${seeded[0]!.conversationId}"]`).textContent()).resolves.toMatch(/ Asia\/Kolkata$/);
  });

  it("edits a channel's prompt, which is stored, and shows why an invalid edit was refused", async () => {
    await page.goto(`${server.baseUrl}/admin/channels`);
    await page.fill('input[name=accountId]', 'phone-1');
    await page.click('button:has-text("Open")');
    await page.fill('textarea[name=systemPrompt]', 'You are the bakery assistant.\nAnswer briefly.');
    await page.fill('input[name=temperature]', '0.4');
    await Promise.all([page.waitForURL('**/admin/channels?done=channel-saved'), page.click('button:has-text("Save settings")')]);
    await expect(page.locator('.notice').textContent()).resolves.toBe('Channel settings saved.');
    expect(await server.stores.chat.channelSettings('phone-1')).toMatchObject({ systemPrompt: 'You are the bakery assistant.\nAnswer briefly.', temperature: 0.4 });

    await page.click('a:has-text("phone-1")');
    await expect(page.inputValue('textarea[name=systemPrompt]')).resolves.toBe('You are the bakery assistant.\nAnswer briefly.');
    await page.fill('textarea[name=systemPrompt]', 'Changed?');
    await page.fill('input[name=temperature]', '7');
    await page.click('button:has-text("Save settings")');
    await expect(page.locator('.errors').textContent()).resolves.toContain('temperature: must be a number from 0 to 2');
    expect(await server.stores.chat.channelSettings('phone-1')).toMatchObject({ systemPrompt: 'You are the bakery assistant.\nAnswer briefly.', temperature: 0.4 });
    await screenshot(page, 'admin-channel-invalid');
  });

  it('creates an API key whose secret is shown once and stored only as a hash, then revokes it', async () => {
    await page.goto(`${server.baseUrl}/admin/keys`);
    await page.fill('input[name=name]', 'BI export');
    await page.click('button:has-text("Create key")');
    const secret = (await page.locator('#new-secret').textContent())!;
    expect(secret).toMatch(/^vk_[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{43}$/);
    await screenshot(page, 'admin-key-created');
    const principal = await server.stores.apiKeys.verify(secret, Date.now());
    expect(principal?.scopes.has('analytics:read')).toBe(true);
    const stored = JSON.stringify(await server.rows('api_key'), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
    expect(stored).toContain('BI export');
    expect(stored).not.toContain(secret.split('.')[1]);

    await page.goto(`${server.baseUrl}/admin/keys`);
    expect(await page.content()).not.toContain(secret);
    page.once('dialog', (dialog) => void dialog.accept());
    await Promise.all([page.waitForURL('**/admin/keys?done=key-revoked'), page.click(`tr[data-key="${principal!.keyId}"] button:has-text("Revoke")`)]);
    await expect(page.locator(`tr[data-key="${principal!.keyId}"] .revoked`).count()).resolves.toBe(1);
    expect(await server.stores.apiKeys.verify(secret, Date.now())).toBeNull();
    expect(server.logText()).not.toContain(secret);
    await screenshot(page, 'admin-key-revoked');
  });

  it('refuses a form another origin submits to the dashboard with 403 and changes nothing', async () => {
    // `localhost` cannot be resolved under the mandated --host-resolver-rules, so the other origin is
    // another port of 127.0.0.1 (same site, cross origin: the SameSite=Strict cookie is sent, only the
    // Origin check stands), and a sandboxed page of it (opaque origin: a cross-site POST without cookie).
    const action = `${server.baseUrl}/admin/keys`;
    const form = `<!doctype html><form id="f" method="post" action="${action}"><input name="name" value="planted"><input name="scope:admin" value="on"></form><script>document.getElementById('f').submit()</script>`;
    attacker = createServer((request, response) => {
      response.setHeader('content-type', 'text/html');
      if (request.url === '/sandboxed') response.setHeader('content-security-policy', 'sandbox allow-forms allow-scripts');
      response.end(form);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', () => resolve()));
    const other = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    for (const [name, url] of [
      ['cross-origin', `${other}/`],
      ['cross-site', `${other}/sandboxed`],
    ] as const) {
      const refused = page.waitForResponse((r) => r.url() === action && r.request().method() === 'POST');
      await page.goto(url);
      const response = await refused;
      expect(response.status(), name).toBe(403);
      await page.waitForURL(action);
      await expect(page.locator('main').textContent()).resolves.toContain('This request came from another site');
      await screenshot(page, `admin-refused-${name}`);
    }
    expect((await server.stores.apiKeys.list()).map((k) => k.name)).not.toContain('planted');
  });

  it('signs out, and ran without script errors or CSP violations', async () => {
    await page.goto(`${server.baseUrl}/admin`);
    await Promise.all([page.waitForURL('**/admin/login'), page.click('button:has-text("Sign out")')]);
    await page.goto(`${server.baseUrl}/admin/keys`);
    expect(page.url()).toBe(`${server.baseUrl}/admin/login`);
    expect(problems).toEqual([]);
  });
});
