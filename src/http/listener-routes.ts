import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { readRawBody } from './raw-body.js';
import { addLogFields } from './request-log.js';
import { errorBody } from './errors.js';
import type { WebhookAnswer, WebhookChannel, WebhookHandlers } from './webhook-handlers.js';

/**
 * The listener's routes on Hono: the WhatsApp handshake, and the webhook POSTs through the same
 * handlers the node:http ingress calls first (`webhook-ingress.ts`), for every request that does
 * not come through it (`app.request` in tests, a server built on `app.fetch` alone).
 */
export function listenerRoutes(webhooks: WebhookHandlers, whatsapp: { verifyToken: string } | undefined): Hono {
  const app = new Hono();

  app.get('/webhooks/whatsapp', (c) => {
    if (!whatsapp) return c.json(errorBody('channel_not_configured', 'WhatsApp is not configured'), 503);
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    const challenge = c.req.query('hub.challenge');
    if (mode === 'subscribe' && token !== undefined && safeEqual(token, whatsapp.verifyToken) && challenge !== undefined) {
      return c.text(challenge, 200);
    }
    return c.json(errorBody('forbidden', 'verification token mismatch'), 403);
  });

  for (const channel of ['whatsapp', 'api'] as const satisfies WebhookChannel[]) {
    app.post(`/webhooks/${channel}`, async (c) => answer(c, await webhooks[channel]({ header: (name) => c.req.header(name), body: (limit) => readRawBody(c, limit) })));
  }
  return app;
}

function answer(c: Context, { status, text, json, logFields }: WebhookAnswer) {
  if (logFields) addLogFields(c, logFields);
  return text !== undefined ? c.text(text, status) : c.json(json, status);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
