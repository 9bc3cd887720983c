import { describe, expect, it } from 'vitest';
import { percentile } from '../../../src/domain/model/analytics.js';
import { DomainError, isRetryable, MessageInProgressError, PublishError, ValidationError } from '../../../src/domain/model/errors.js';
import { orderingKeyOf } from '../../../src/domain/model/events.js';
import { costOf } from '../../../src/domain/model/reply.js';
import { CompletionError } from '../../../src/domain/ports/completion-model.js';
import { ReplySendError } from '../../../src/domain/ports/reply-channel.js';
import { aMessage } from '../../support/builders.js';

describe('percentile', () => {
  it('returns the nearest-rank value when the list is sorted', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([50, 95, 99, 100]);
    expect([percentile([7], 50), percentile([7], 99)]).toEqual([7, 7]);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('returns null when the list is empty', () => {
    expect(percentile([], 50)).toBeNull();
  });
});

describe('costOf', () => {
  it('prices prompt and completion tokens per million when a price is known', () => {
    expect(costOf({ prompt: 1_000_000, completion: 500_000 }, { prompt: 0.15, completion: 0.6 })).toBeCloseTo(0.45, 12);
  });

  it('is 0 when no price is known', () => {
    expect(costOf({ prompt: 10, completion: 10 }, undefined)).toBe(0);
  });
});

describe('orderingKeyOf', () => {
  it('is the conversation id when the event is a message or a status', () => {
    const message = aMessage();
    expect(orderingKeyOf({ kind: 'message', message })).toBe(message.conversationId);
    expect(
      orderingKeyOf({ kind: 'status', status: { outboundId: 'o', channel: 'whatsapp', accountId: 'a', conversationId: 'c_x', recipientId: 'r', status: 'read', at: 1 } }),
    ).toBe('c_x');
  });
});

describe('isRetryable', () => {
  it('follows the retryable flag when the error is a domain error and is true when it is not', () => {
    expect(isRetryable(new ValidationError('bad'))).toBe(false);
    expect(isRetryable(new PublishError('down'))).toBe(true);
    expect(isRetryable(new MessageInProgressError('m'))).toBe(true);
    expect(isRetryable(new CompletionError('rate limited', true))).toBe(true);
    expect(isRetryable(new ReplySendError('bad number', false))).toBe(false);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
  });

  it('names the error after its class with a stable code when a port error is raised', () => {
    const error = new ReplySendError('x', true, { cause: new Error('root') });
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ name: 'ReplySendError', code: 'reply_send_failed', retryable: true });
    expect((error.cause as Error).message).toBe('root');
  });
});
