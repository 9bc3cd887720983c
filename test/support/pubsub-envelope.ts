import { randomUUID } from 'node:crypto';

/**
 * A Pub/Sub push request body as Google (and the emulator) sends it: base64 JSON data, both
 * `messageId` and `message_id`, both publish time spellings and the subscription name.
 */
export function aPushEnvelope(event: unknown, options: { messageId?: string; attributes?: Record<string, string>; deliveryAttempt?: number } = {}) {
  const messageId = options.messageId ?? String(Math.floor(Math.random() * 1e15));
  const publishTime = new Date().toISOString();
  return {
    message: {
      data: Buffer.from(JSON.stringify(event), 'utf8').toString('base64'),
      attributes: options.attributes ?? {},
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: `projects/demo/subscriptions/test-${randomUUID()}`,
    ...(options.deliveryAttempt !== undefined ? { deliveryAttempt: options.deliveryAttempt } : {}),
  };
}

export function pushRequest(envelope: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) };
}
