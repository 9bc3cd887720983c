import { afterEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../src/adapters/webhook/standard-webhooks.js';
import { WebhookHandoffNotifier } from '../../src/adapters/webhook/webhook-handoff-notifier.js';
import type { HandoffNotice } from '../../src/domain/ports/handoff-notifier.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { aWebhookSecret } from '../support/signing.js';

describe('WebhookHandoffNotifier (against a receiver on loopback)', () => {
  let receiver: CallbackReceiver;
  afterEach(async () => {
    await receiver.stop();
  });
  const secret = aWebhookSecret();
  const notifier = (allowed = ['127.0.0.1']) => new WebhookHandoffNotifier({ secret, allowedHosts: new Set(allowed), timeoutMs: 2_000 });
  const aNotice = (url: string): HandoffNotice => ({
    id: 'handoff_c_1_1795608000000',
    url,
    conversationId: 'c_1',
    channel: 'whatsapp',
    accountId: '1098765',
    participant: '+49 170 •••• 4567',
    requestedBy: 'tool',
    waitingSince: Date.UTC(2026, 10, 25, 12),
  });

  it('posts the signed event, verifiable with the secret, webhook-id = the notice id', async () => {
    receiver = new CallbackReceiver();
    const { baseUrl } = await receiver.start();

    await notifier().notify(aNotice(`${baseUrl}/handoff`));

    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/handoff' });
    const header = (name: string) => request!.headers[name] as string | undefined;
    const headers = { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') };
    const verified = verifyStandardWebhook(secret, headers, request!.rawBody, Math.floor(Date.now() / 1000));
    expect(verified).toMatchObject({ ok: true, id: 'handoff_c_1_1795608000000' });
    expect(JSON.parse(request!.rawBody.toString('utf8'))).toEqual({
      type: 'conversation.handoff_requested',
      conversationId: 'c_1',
      channel: 'whatsapp',
      accountId: '1098765',
      participant: '+49 170 •••• 4567',
      requestedBy: 'tool',
      waitingSince: '2026-11-25T12:00:00.000Z',
      dashboardPath: '/admin/conversations/c_1',
    });
  });

  it('reports a dropped answer as unknown, a refusal by its status, and a private address as forbidden', async () => {
    receiver = new CallbackReceiver();
    const { baseUrl } = await receiver.start();
    receiver.dropNext(1).answerNext(1, { status: 410 });

    await expect(notifier().notify(aNotice(`${baseUrl}/h`))).rejects.toMatchObject({ reason: 'send_outcome_unknown', retryable: false });
    await expect(notifier().notify(aNotice(`${baseUrl}/h`))).rejects.toMatchObject({ reason: 'callback_http_410' });
    await expect(notifier([]).notify(aNotice(`${baseUrl}/h`))).rejects.toMatchObject({ reason: 'callback_url_forbidden' });
    expect(receiver.requests).toHaveLength(2);
  });
});
