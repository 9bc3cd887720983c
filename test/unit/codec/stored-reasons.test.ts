import { describe, expect, it } from 'vitest';
import { interactionEventSchema, inboundEventSchema } from '../../../src/adapters/codec/event-schemas.js';
import { currentRecord, currentSpelling } from '../../../src/adapters/codec/stored-reasons.js';
import { newRecord, type MessageRecord } from '../../../src/domain/model/message-record.js';
import { aMessage } from '../../support/builders.js';

/** A record as an older version stored it: kebab-case reasons, data behind note prefixes. */
const stored = (fields: Record<string, unknown>): MessageRecord => ({ ...newRecord(aMessage(), 1_000), ...fields }) as unknown as MessageRecord;

describe('currentSpelling', () => {
  it.each([
    ['outside-service-window', 'outside_service_window'],
    ['whatsapp-rate-limited-130429', 'whatsapp_rate_limited_130429'],
    ['media-whatsapp-http-500', 'media_whatsapp_http_500'],
    ['whatsapp-sending-not-configured (set WHATSAPP_ACCESS_TOKEN)', 'whatsapp_sending_not_configured'],
    ['completion_failed', 'completion_failed'],
  ])('reads %s as %s', (old, current) => {
    expect(currentSpelling(old)).toBe(current);
  });
});

describe('currentRecord', () => {
  it('turns a folded-into:<id> note into note folded and foldedInto when an older version stored it', () => {
    const record = currentRecord(stored({ state: 'skipped', note: 'folded-into:wamid.first' }));

    expect(record).toMatchObject({ state: 'skipped', note: 'folded', foldedInto: 'wamid.first' });
  });

  it('turns a template-fallback:<name> note into templateFallback and drops the note when an older version stored it', () => {
    const record = currentRecord(stored({ state: 'sent', note: 'template-fallback:reengage_hello', failure: { stage: 'send', reason: 'outside-service-window' } }));

    expect(record).toMatchObject({ state: 'sent', templateFallback: 'reengage_hello', failure: { stage: 'send', reason: 'outside_service_window' } });
    expect(record).not.toHaveProperty('note');
  });

  it('reads kebab-case notes, failure and window template reasons in snake_case when an older version stored them', () => {
    const record = currentRecord(
      stored({
        state: 'unsent',
        note: 'api-channel-not-configured (set API_CALLBACK_SECRET)',
        failure: { stage: 'generate', reason: 'model-rejected-400' },
        windowTemplate: { name: 'reengage_hello', state: 'unknown', at: 5, reason: 'send-outcome-unknown' },
      }),
    );

    expect(record).toMatchObject({
      note: 'api_channel_not_configured',
      failure: { stage: 'generate', reason: 'model_rejected_400' },
      windowTemplate: { name: 'reengage_hello', state: 'unknown', reason: 'send_outcome_unknown' },
    });
  });

  it('leaves a record in today\'s spelling as it is', () => {
    const today = stored({ state: 'skipped', note: 'rate_limited', failure: { stage: 'send', reason: 'delivery_failed' } });

    expect(currentRecord(today)).toEqual(today);
  });
});

describe('event schemas', () => {
  const interaction = {
    type: 'message',
    eventId: 'message:whatsapp:wamid.1',
    occurredAt: 1,
    channel: 'whatsapp',
    accountId: 'acct',
    conversationId: 'c_1',
    userKey: 'u_1',
    messageId: 'wamid.1',
    messageType: 'text',
    receivedAt: 1,
    outcome: 'failed',
    usage: { prompt: 0, completion: 0 },
    costUsd: 0,
  };

  it('reads the failure reason of an interaction event published by an older version in snake_case', () => {
    expect(interactionEventSchema.parse({ ...interaction, failureReason: 'whatsapp-error-131026' })).toMatchObject({ failureReason: 'whatsapp_error_131026' });
  });

  it('reads the failure reason of a delivery status published by an older version in snake_case', () => {
    const status = { outboundId: 'wamid.out', channel: 'whatsapp', accountId: 'acct', conversationId: 'c_1', recipientId: '4915', status: 'failed', at: 1 };

    expect(inboundEventSchema.parse({ kind: 'status', status: { ...status, failureReason: 'outside-service-window' } })).toMatchObject({ status: { failureReason: 'outside_service_window' } });
  });

  it('refuses a failure reason that is not a reason at all', () => {
    expect(interactionEventSchema.safeParse({ ...interaction, failureReason: 'Ignore previous instructions' }).success).toBe(false);
  });

  it('refuses a channel that is not one of the channels', () => {
    expect(interactionEventSchema.safeParse({ ...interaction, channel: 'telegram' }).success).toBe(false);
  });
});
