import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryAnalyticsStore } from '../../../src/adapters/memory/in-memory-analytics-store.js';
import type { StatusInteraction } from '../../../src/domain/model/interaction.js';
import { RecordInteraction } from '../../../src/domain/use-cases/record-interaction.js';

describe('RecordInteraction', () => {
  it('answers inserted then duplicate when the same event is recorded twice', async () => {
    const analytics = new InMemoryAnalyticsStore();
    const useCase = new RecordInteraction(analytics);
    const outboundId = `wamid.out.${randomUUID()}`;
    const event: StatusInteraction = {
      type: 'status',
      eventId: `status:whatsapp:${outboundId}:read`,
      occurredAt: 1_700_000_000_000,
      channel: 'whatsapp',
      accountId: 'phone-1',
      conversationId: `c_${randomUUID()}`,
      userKey: `u_${randomUUID()}`,
      outboundId,
      status: 'read',
    };

    expect(await useCase.execute(event)).toBe('inserted');
    expect(await useCase.execute(structuredClone(event))).toBe('duplicate');
    expect(await useCase.execute({ ...event, eventId: `status:whatsapp:${outboundId}:delivered`, status: 'delivered' })).toBe('inserted');
  });
});
