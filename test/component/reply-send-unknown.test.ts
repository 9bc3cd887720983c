import { randomInt, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { aMessage } from '../support/builders.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { ALL_CHANNELS_ENV, roleHarness, type RoleHarness } from '../support/role-harness.js';

// The real worker flow with the real WhatsApp and callback adapters against local doubles that
// take a send in full and then close the connection without answering: the reply may have gone
// out, so it ends send-unknown and a redelivery never sends it again.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function started<T extends { start(): Promise<unknown>; stop(): Promise<void> }>(double: T): Promise<T> {
  await double.start();
  stops.push(() => double.stop());
  return double;
}

async function workerWith(graph: GraphApiDouble, receiver: CallbackReceiver): Promise<RoleHarness> {
  return await roleHarness({
    env: {
      ...ALL_CHANNELS_ENV,
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
      CALLBACK_ALLOWED_HOSTS: new URL(receiver.baseUrl).hostname,
    },
  });
}

const deliver = (h: RoleHarness, message: InboundMessage) => h.app.request('/pubsub/push', pushRequest(aPushEnvelope({ kind: 'message', message })));

async function stored(h: RoleHarness, message: InboundMessage) {
  return (await h.chatStore.messages(message.conversationId, { limit: 10 })).find((record) => record.message.id === message.id);
}

describe('Reply whose send was accepted but never answered', () => {
  it('ends send-unknown and is not sent again on redelivery when Graph accepts the send and drops the connection', async () => {
    const graph = await started(new GraphApiDouble());
    const h = await workerWith(graph, await started(new CallbackReceiver()));
    const message = aMessage({ accountId: String(randomInt(100_000_000, 999_999_999)), receivedAt: h.clock.now(), text: 'Do you open on Sunday?' });
    graph.dropNext(1);

    const first = await deliver(h, message);
    const again = await deliver(h, message);

    expect([first.status, again.status]).toEqual([204, 204]);
    expect(graph.sends).toHaveLength(1);
    expect(graph.sends[0]).toMatchObject({ outcome: { kind: 'accepted' }, dropped: true });
    expect(await stored(h, message)).toMatchObject({ state: 'send-unknown', outboundIds: [], failure: { stage: 'send', reason: 'send_outcome_unknown' } });
    expect(h.bus.events('interactions')).toEqual([expect.objectContaining({ messageId: message.id, outcome: 'send-unknown', failureReason: 'send_outcome_unknown' })]);
  });

  it('ends send-unknown and does not call back again on redelivery when the callback receiver reads the callback and drops the connection', async () => {
    const receiver = await started(new CallbackReceiver());
    const h = await workerWith(await started(new GraphApiDouble()), receiver);
    const message = aMessage({
      channel: 'api',
      accountId: 'api',
      participant: { id: `user-${randomUUID()}` },
      id: `msg_${randomUUID()}`,
      callbackUrl: `${receiver.baseUrl}/replies`,
      receivedAt: h.clock.now(),
      text: 'Where is my parcel?',
    });
    receiver.dropNext(1);

    const first = await deliver(h, message);
    const again = await deliver(h, message);

    expect([first.status, again.status]).toEqual([204, 204]);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ path: '/replies', dropped: true });
    expect(await stored(h, message)).toMatchObject({ state: 'send-unknown', failure: { stage: 'send', reason: 'send_outcome_unknown' } });
  });
});
