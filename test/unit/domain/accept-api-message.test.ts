import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryMessageBus, type Delivery } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { PublishError, ValidationError } from '../../../src/domain/model/errors.js';
import type { InboundEvent } from '../../../src/domain/model/events.js';
import { conversationIdFor } from '../../../src/domain/model/ids.js';
import { AcceptApiMessage, MAX_API_TEXT_LENGTH, type ApiMessageInput } from '../../../src/domain/use-cases/accept-api-message.js';
import { FixedClock } from '../../support/fixed-clock.js';

function setup() {
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const clock = new FixedClock();
  const delivered: Delivery<InboundEvent>[] = [];
  bus.subscribe('inbound', async (delivery) => {
    delivered.push(delivery);
  });
  return { bus, clock, delivered, useCase: new AcceptApiMessage(bus, clock) };
}

const anInput = (overrides: Partial<ApiMessageInput> = {}): ApiMessageInput => ({
  webhookId: `msg_${randomUUID()}`,
  accountId: `client-${randomUUID()}`,
  userId: `user-${randomUUID()}`,
  text: 'Where is my order?',
  ...overrides,
});

describe('AcceptApiMessage', () => {
  it('publishes an api text message keyed by the webhook id in a deterministic conversation when the input is valid', async () => {
    const { bus, clock, delivered, useCase } = setup();
    const input = anInput({ callbackUrl: 'https://client.example/replies', metadata: { orderId: '42' } });

    const result = await useCase.execute(input);
    await bus.idle();

    const conversationId = conversationIdFor('api', input.accountId, `user:${input.userId}`);
    expect(result).toEqual({ messageId: input.webhookId, conversationId });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.orderingKey).toBe(conversationId);
    expect(delivered[0]!.event).toEqual({
      kind: 'message',
      message: {
        id: input.webhookId,
        channel: 'api',
        accountId: input.accountId,
        conversationId,
        participant: { id: input.userId },
        content: { type: 'text', body: 'Where is my order?' },
        sentAt: clock.now(),
        receivedAt: clock.now(),
        callbackUrl: 'https://client.example/replies',
        metadata: { orderId: '42' },
      },
    });
  });

  it('puts every message of a user in the same conversation when no conversation id is given', async () => {
    const { useCase } = setup();
    const input = anInput();

    const first = await useCase.execute(input);
    const second = await useCase.execute({ ...input, webhookId: `msg_${randomUUID()}`, text: 'and again' });
    const otherUser = await useCase.execute(anInput({ accountId: input.accountId }));
    const otherAccount = await useCase.execute(anInput({ userId: input.userId }));

    expect(second.conversationId).toBe(first.conversationId);
    expect(otherUser.conversationId).not.toBe(first.conversationId);
    expect(otherAccount.conversationId).not.toBe(first.conversationId);
  });

  it('uses the client conversation id when one is given', async () => {
    const { useCase } = setup();
    const input = anInput({ conversationId: 'ticket-7' });

    const result = await useCase.execute(input);

    expect(result.conversationId).toBe(conversationIdFor('api', input.accountId, 'conversation:ticket-7'));
  });

  it('keeps a client conversation apart from a user default conversation when their names clash', async () => {
    const { useCase } = setup();
    const byUser = await useCase.execute(anInput({ userId: 'bob' }));
    const clashing = await useCase.execute(anInput({ userId: 'alice', conversationId: 'user:bob' }));

    expect(clashing.conversationId).not.toBe(byUser.conversationId);
  });

  it('counts characters, not UTF-16 units, against the length limit', async () => {
    const { useCase } = setup();

    await expect(useCase.execute(anInput({ text: '😀'.repeat(MAX_API_TEXT_LENGTH) }))).resolves.toMatchObject({ messageId: expect.any(String) });
  });

  it.each([
    ['the text is empty', { text: '' }, 'text must not be empty'],
    ['the text is only whitespace', { text: '  \n ' }, 'text must not be empty'],
    ['the text is longer than 4096 characters', { text: 'x'.repeat(MAX_API_TEXT_LENGTH + 1) }, 'text must be at most 4096 characters'],
    ['the callbackUrl is not a URL', { callbackUrl: 'not a url' }, 'callbackUrl must be an http(s) URL'],
    ['the callbackUrl is not http(s)', { callbackUrl: 'ftp://client.example/x' }, 'callbackUrl must be an http(s) URL'],
    ['the userId is empty', { userId: '' }, 'userId must be 1–256 characters'],
    ['the userId is longer than 256 characters', { userId: 'u'.repeat(257) }, 'userId must be 1–256 characters'],
    ['the conversationId is blank', { conversationId: ' ' }, 'conversationId must be 1–256 characters'],
    ['the webhook id is longer than 256 characters', { webhookId: `msg_${'x'.repeat(253)}` }, 'webhook-id must be 1–256 printable ASCII characters'],
    ['the webhook id holds a space', { webhookId: 'msg_1 2' }, 'webhook-id must be 1–256 printable ASCII characters'],
    ['the webhook id is not ASCII', { webhookId: 'msg_ü' }, 'webhook-id must be 1–256 printable ASCII characters'],
  ] as const)('rejects with a ValidationError and publishes nothing when %s', async (_, overrides, problem) => {
    const { bus, delivered, useCase } = setup();

    const attempt = useCase.execute(anInput(overrides));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(problem);
    await bus.idle();
    expect(delivered).toEqual([]);
  });

  it('publishes the message when the text is exactly 4096 characters', async () => {
    const { useCase } = setup();
    await expect(useCase.execute(anInput({ text: 'x'.repeat(MAX_API_TEXT_LENGTH) }))).resolves.toMatchObject({ messageId: expect.any(String) });
  });

  it('lists every problem in one ValidationError when several fields are invalid', async () => {
    const { useCase } = setup();

    const error = await useCase.execute(anInput({ text: '', userId: '', callbackUrl: 'javascript:alert(1)' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'validation_failed', retryable: false });
    const message = (error as ValidationError).message;
    for (const problem of ['userId must be', 'text must not be empty', 'callbackUrl must be']) expect(message).toContain(problem);
  });

  it('rejects with a PublishError when the bus does not accept the message', async () => {
    const { bus, useCase } = setup();
    bus.failNextPublishes(1);
    await expect(useCase.execute(anInput())).rejects.toBeInstanceOf(PublishError);
  });
});
