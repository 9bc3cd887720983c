import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { userKeyFor } from '../../src/domain/model/ids.js';
import { startAdminServer, type AdminServer } from '../support/admin-server.js';
import { seedExchange } from '../support/admin-seed.js';
import { launchChromium, screenshot } from '../support/browser.js';

const SCREENS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('admin conversations in Chromium, on a desktop and a phone screen', () => {
  let server: AdminServer;
  let browser: { context: BrowserContext; close(): Promise<void> };
  const problems: string[] = [];
  let taken = '';
  let bakery = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startAdminServer(), launchChromium()]);
    const stores = { chat: server.stores.chat, analytics: server.stores.analytics };
    const now = Date.now();
    // A long conversation that a person took over, and a few short ones the bot answers.
    for (let i = 0; i < 55; i++) {
      const seeded = await seedExchange(stores, { receivedAt: now - (120 - i) * 60_000, participantId: '4917012344567', text: `Bakery question ${i}`, costUsd: 0.01 });
      bakery = seeded.conversationId;
    }
    await server.stores.analytics.record({
      type: 'mode', eventId: `mode:${randomUUID()}`, occurredAt: now - 30_000, channel: 'whatsapp', accountId: 'phone-1',
      conversationId: bakery, userKey: userKeyFor('whatsapp', 'phone-1', '4917012344567'), mode: 'human',
    });
    // Taken over in the chat store (what the page shows) as well as in the analytics (what the list filters on).
    await server.stores.chat.replaceHandoff(bakery, 0, { mode: 'human', agent: 'grace@example.org', since: now - 30_000 });
    taken = bakery;
    for (let i = 0; i < 3; i++) await seedExchange(stores, { receivedAt: now - (10 - i) * 60_000, participantId: `44770090012${i}` });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openPage(width: number, height: number): Promise<Page> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.setViewportSize({ width, height });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.baseUrl}/admin/conversations`);
    if (page.url().endsWith('/admin/login')) {
      await page.fill('input[name=email]', server.email);
      await page.fill('input[name=password]', server.password);
      await Promise.all([page.waitForURL(`${server.baseUrl}/admin`), page.click('button:has-text("Sign in")')]);
      await page.goto(`${server.baseUrl}/admin/conversations`);
    }
    return page;
  }

  const overflow = (page: Page) => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);

  for (const screen of SCREENS) {
    it(`filters the list with the form and pages through a taken-over conversation's transcript (${screen.name})`, async () => {
      const page = await openPage(screen.width, screen.height);
      await expect(page.locator('a[data-conversation]').count()).resolves.toBe(4);
      expect(await overflow(page)).toBeLessThanOrEqual(screen.width);
      await screenshot(page, `admin-conversations-${screen.name}`, { fullPage: false });

      await page.selectOption('select[name=mode]', 'human');
      await page.fill('input[name=q]', '+49 170');
      await Promise.all([page.waitForURL(/mode=human/), page.click('form.filters button:has-text("Filter")')]);
      await expect(page.locator('a[data-conversation]').count()).resolves.toBe(1);
      await expect(page.locator('td[data-participant]').textContent()).resolves.toContain('+49 170 •••• 4567');
      await expect(page.locator('select[name=mode]').inputValue()).resolves.toBe('human');

      await Promise.all([page.waitForURL(`**/admin/conversations/${taken}`), page.click(`a[data-conversation="${taken}"]`)]);
      await expect(page.locator('strong[data-mode]').textContent()).resolves.toBe('a person answers: grace@example.org');
      await expect(page.locator('dd[data-cost]').textContent()).resolves.toBe('$0.5500 ($0.5500 / $0.00)');
      await expect(page.locator('li.exchange').count()).resolves.toBe(50);
      expect(await overflow(page)).toBeLessThanOrEqual(screen.width);
      await screenshot(page, `admin-conversation-${screen.name}`, { fullPage: false });

      await Promise.all([page.waitForURL(/cursor=/), page.click('a[rel=next]:has-text("Later messages")')]);
      await expect(page.locator('li.exchange').count()).resolves.toBe(5);
      await expect(page.locator('.bubble.user').last().textContent()).resolves.toContain('Bakery question 54');
      await page.close();
    });
  }

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
