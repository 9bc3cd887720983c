import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { sensitive } from '../support/log-sink.js';
import { startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';

// Human handoff in Chromium on the whole loop over real HTTP (ROLE=all in process, the in-memory
// chat store): Meta → listener → bus → worker → Graph API double, and the dashboard beside it.

const ADMIN = { email: 'ada@example.org', password: `correct horse ${randomBytes(6).toString('hex')}` };

describe('human handoff on the dashboard in Chromium', () => {
  let graph: GraphApiDouble;
  let app: RunningApp;
  let browser: { context: BrowserContext; close(): Promise<void> };
  const problems: string[] = [];
  const appSecret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    graph = new GraphApiDouble();
    await graph.start();
    [app, browser] = await Promise.all([
      startApp({
        ROLE: 'all',
        WHATSAPP_APP_SECRET: appSecret,
        WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
        WHATSAPP_ACCESS_TOKEN: graph.accessToken,
        WHATSAPP_API_BASE_URL: graph.baseUrl,
        API_WEBHOOK_SECRET: aWebhookSecret(),
        API_CALLBACK_SECRET: aWebhookSecret(),
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
      }),
      launchChromium(),
    ]);
    await app.runtime.prepare();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await graph?.stop();
  });

  /** A text from the customer, posted and signed the way Meta does. */
  async function fromCustomer(parties: WhatsAppParties, body: string): Promise<void> {
    const raw = metaJson(textNotification(parties, { id: aWamid(), body }));
    const response = await fetch(`${app.baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, appSecret) },
      body: raw,
    });
    expect(response.status).toBe(200);
  }

  async function signedInPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${app.baseUrl}/admin/login`);
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForURL(`${app.baseUrl}/admin`), page.click('button:has-text("Sign in")')]);
    return page;
  }

  it('takes a conversation over, sees a new message appear without reloading, replies through the worker and hands it back', async () => {
    const parties = someParties();
    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    await fromCustomer(parties, 'Do you deliver on Sundays?');
    await graph.waitForSends(1, 10_000);
    await app.bus.idle();
    const page = await signedInPage();
    const conversation = `${app.baseUrl}/admin/conversations/${conversationId}`;

    await page.goto(conversation);
    await expect(page.locator('strong[data-mode]').textContent()).resolves.toBe('the bot answers');
    await Promise.all([page.waitForURL(/done=taken-over/), page.click('button:has-text("Take over")')]);
    await expect(page.locator('strong[data-mode]').textContent()).resolves.toBe(`a person answers: ${ADMIN.email.split('@')[0]}`);

    // A new message arrives while the page is open: it appears without a reload, and the bot keeps quiet.
    await page.evaluate(() => ((globalThis as { notReloaded?: boolean }).notReloaded = true));
    await fromCustomer(parties, 'Is anyone there?');
    await page.locator('.bubble.user', { hasText: 'Is anyone there?' }).waitFor();
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await app.bus.idle();
    expect(graph.sends).toHaveLength(1);
    await screenshot(page, 'admin-handoff-taken-over', { fullPage: false });

    // The agent replies: the worker sends it once, and its state reaches the page.
    const replyText = sensitive(`Yes, a person here ${randomUUID().slice(0, 8)}`);
    await page.fill('textarea[name=text]', replyText);
    await Promise.all([page.waitForURL(/done=reply-queued/), page.click('button:has-text("Send")')]);
    await page.locator('.bubble.agent[data-state="sent"]', { hasText: replyText }).waitFor();
    await expect(page.locator('.bubble.agent small').textContent()).resolves.toContain(`${ADMIN.email.split('@')[0]} (a person)`);
    const [, agentSend] = await graph.waitForSends(2, 10_000);
    expect(agentSend!.body).toMatchObject({ to: parties.customer, type: 'text', text: { body: replyText } });
    await screenshot(page, 'admin-handoff-replied', { fullPage: false });

    await Promise.all([page.waitForURL(/done=handed-back/), page.click('button:has-text("Hand back to the bot")')]);
    await expect(page.locator('strong[data-mode]').textContent()).resolves.toBe('the bot answers');
    await expect(page.locator('textarea[name=text]').count()).resolves.toBe(0);
    await page.close();
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
