import { describe, expect, it } from 'vitest';
import { isTerminal, newRecord, nextStep, type MessageRecord, type MessageState } from '../../../src/domain/model/message-record.js';
import { aMessage } from '../../support/builders.js';

const NOW = 1_800_000_000_000;
const record = (state: MessageState, overrides: Partial<MessageRecord> = {}): MessageRecord => ({ ...newRecord(aMessage(), NOW - 10), state, ...overrides });

describe('newRecord', () => {
  it('starts received, at version 1, free and unrecorded when a message is first stored', () => {
    const message = aMessage();
    expect(newRecord(message, NOW)).toEqual({
      message,
      state: 'received',
      version: 1,
      attempts: 0,
      sendAttempts: 0,
      leaseUntil: 0,
      outboundIds: [],
      recorded: false,
      updatedAt: NOW,
    });
  });
});

describe('nextStep', () => {
  it.each<[string, MessageRecord, string]>([
    ['received', record('received'), 'generate'],
    ['generating with a live lease', record('generating', { leaseUntil: NOW + 1 }), 'wait'],
    ['generating with the lease ending now', record('generating', { leaseUntil: NOW }), 'generate'],
    ['generating with an expired lease', record('generating', { leaseUntil: NOW - 1 }), 'generate'],
    ['answered', record('answered'), 'send'],
    ['sending with a live lease', record('sending', { leaseUntil: NOW + 1 }), 'wait'],
    ['sending with an expired lease', record('sending', { leaseUntil: NOW - 1 }), 'mark-send-unknown'],
    ['sent and not recorded', record('sent'), 'record'],
    ['sent and recorded', record('sent', { recorded: true }), 'done'],
    ['unsent and not recorded', record('unsent'), 'record'],
    ['unsent and recorded', record('unsent', { recorded: true }), 'done'],
    ['failed and not recorded', record('failed'), 'record'],
    ['failed and recorded', record('failed', { recorded: true }), 'done'],
    ['send-unknown and not recorded', record('send-unknown'), 'record'],
    ['send-unknown and recorded', record('send-unknown', { recorded: true }), 'done'],
    ['skipped and not recorded', record('skipped'), 'record'],
    ['skipped and recorded', record('skipped', { recorded: true }), 'done'],
  ])('returns the right step when the record is %s', (_, r, step) => {
    expect(nextStep(r, NOW)).toBe(step);
  });
});

describe('isTerminal', () => {
  it('is true exactly for sent, unsent, failed, send-unknown and skipped when every state is checked', () => {
    const states: MessageState[] = ['received', 'generating', 'answered', 'sending', 'sent', 'unsent', 'failed', 'send-unknown', 'skipped'];
    expect(states.filter(isTerminal)).toEqual(['sent', 'unsent', 'failed', 'send-unknown', 'skipped']);
  });
});
