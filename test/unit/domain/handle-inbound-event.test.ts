import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApplyDeliveryStatus } from '../../../src/domain/use-cases/apply-delivery-status.js';
import { SendAgentReply } from '../../../src/domain/use-cases/send-agent-reply.js';
import { HandleInboundEvent } from '../../../src/domain/use-cases/handle-inbound-event.js';
import { replyHarness } from '../../support/reply-harness.js';
import { SHIPPED_RATE_CARD } from '../../../src/config/rate-card.js';

describe('HandleInboundEvent', () => {
  it('answers a message event and then applies the status of its reply when both arrive', async () => {
    const h = replyHarness();
    const handle = new HandleInboundEvent(h.useCase, new ApplyDeliveryStatus(h.store, h.bus, h.channel, h.clock, SHIPPED_RATE_CARD), new SendAgentReply(h.store, h.channel, h.bus, h.clock, h.policy));
    const message = h.message();

    const answered = await handle.execute({ kind: 'message', message });
    const outboundId = h.channel.sent[0]!.outboundIds[0]!;
    const status = await handle.execute({
      kind: 'status',
      status: { outboundId, channel: 'whatsapp', accountId: message.accountId, conversationId: message.conversationId, recipientId: message.participant.id, status: 'delivered', at: h.clock.now() },
    });
    const repeated = await handle.execute({ kind: 'message', message });
    const foreign = await handle.execute({
      kind: 'status',
      status: { outboundId: `x-${randomUUID()}`, channel: 'whatsapp', accountId: message.accountId, conversationId: message.conversationId, recipientId: message.participant.id, status: 'read', at: h.clock.now() },
    });

    expect(answered).toEqual({ kind: 'message', state: 'sent', firstDelivery: true });
    expect(status).toEqual({ kind: 'status', result: 'applied' });
    expect(repeated).toEqual({ kind: 'message', state: 'sent', firstDelivery: false });
    expect(foreign).toEqual({ kind: 'status', result: 'unknown' });
    expect((await h.stored(message))?.delivery?.status).toBe('delivered');
    expect(h.channel.sent).toHaveLength(1);
  });
});
