import { describe, expect, it } from 'vitest';
import { interactionEventSchema } from '../../../src/adapters/codec/event-schemas.js';
import type { ToolCallInteraction } from '../../../src/domain/model/interaction.js';
import { TOOL_FAILURE_REASONS } from '../../../src/domain/model/tool-call.js';

const aToolCall = (): ToolCallInteraction => ({
  type: 'tool-call',
  eventId: 'tool:tc_1',
  occurredAt: 1_700_000_000_000,
  channel: 'whatsapp',
  accountId: 'phone-1',
  conversationId: 'c-1',
  userKey: 'u-1',
  callId: 'tc_1',
  messageId: 'wamid.1',
  tool: 'order_status',
  outcome: 'failed',
  failureReason: 'tool_http_503',
  latencyMs: 140,
});

describe('interactionEventSchema (tool-call)', () => {
  it('decodes a tool call as the worker publishes it, with or without a latency and a reason', () => {
    expect(interactionEventSchema.parse(aToolCall())).toEqual(aToolCall());
    const { latencyMs: _, failureReason: __, ...invalid } = { ...aToolCall(), outcome: 'invalid' as const };
    expect(interactionEventSchema.parse(invalid)).toEqual(invalid);
    expect(interactionEventSchema.parse({ ...aToolCall(), failureReason: 'tool_unreachable' })).toMatchObject({ failureReason: 'tool_unreachable' });
  });

  it.each([...TOOL_FAILURE_REASONS, 'tool_http_502'])('decodes every reason the worker gives a call: %s', (failureReason) => {
    expect(interactionEventSchema.parse({ ...aToolCall(), failureReason })).toMatchObject({ failureReason });
  });

  it.each([
    ['an outcome that is not one', { outcome: 'timeout' }],
    ['a call still in flight', { outcome: 'calling' }],
    ['no call id', { callId: '' }],
    ['no message id', { messageId: undefined }],
    ['no tool', { tool: '' }],
    ['a negative latency', { latencyMs: -1 }],
    ['a latency that is not a number', { latencyMs: '140' }],
    ['a reason that is not a tool failure', { failureReason: 'outside_service_window' }],
    ['a reason that is not snake_case', { failureReason: 'tool http 503' }],
    ['no event id', { eventId: '' }],
    ['no user key', { userKey: '' }],
  ])('refuses a tool call with %s', (_, change) => {
    expect(interactionEventSchema.safeParse({ ...aToolCall(), ...change }).success).toBe(false);
  });
});
