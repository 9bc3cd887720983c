import { describe, expect, it } from 'vitest';
import { checkQueue, summaryOf, type QueueHistory } from '../support/queue-checker.js';

// Hand-made histories: two conversations, a (a1, a2, a3) and b (b1, b2), enqueued in that order.
const enqueued = [
  { messageId: 'a1', conversationId: 'a' },
  { messageId: 'b1', conversationId: 'b' },
  { messageId: 'a2', conversationId: 'a' },
  { messageId: 'b2', conversationId: 'b' },
  { messageId: 'a3', conversationId: 'a' },
];
const allSent = { a1: 'sent', a2: 'sent', a3: 'sent', b1: 'sent', b2: 'sent' };
const oneCallEach = { a1: 1, a2: 1, a3: 1, b1: 1, b2: 1 };

function history(overrides: Partial<QueueHistory> = {}): QueueHistory {
  return { enqueued, sends: ['a1', 'b1', 'a2', 'b2', 'a3'], states: allSent, modelCalls: oneCallEach, kills: [], ...overrides };
}

describe('checkQueue', () => {
  it('counts every message ok when each was sent once and stored as sent', () => {
    const verdict = checkQueue(history());
    expect(verdict.total).toBe(5);
    expect(verdict.ok.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    for (const bad of [verdict.lost, verdict.duplicated, verdict.unknown, verdict.unanswered, verdict.inconsistent, verdict.unexpected]) expect(bad).toEqual([]);
    expect(verdict.regenerations).toEqual([]);
    expect(verdict.outOfOrder).toEqual([]);
  });

  it('reports a message lost when it has no send and no terminal state, stored or not', () => {
    const verdict = checkQueue(history({ sends: ['a1', 'b1', 'a3'], states: { a1: 'sent', b1: 'sent', a3: 'sent', a2: 'generating' } }));
    expect(verdict.lost.sort()).toEqual(['a2', 'b2']);
    expect(verdict.ok.sort()).toEqual(['a1', 'a3', 'b1']);
  });

  it('reports a message duplicated when it was sent more than once, whatever its state', () => {
    const verdict = checkQueue(history({ sends: ['a1', 'b1', 'a1', 'a2', 'b2', 'b2', 'a3'], states: { ...allSent, b2: 'send-unknown' } }));
    expect(verdict.duplicated.sort()).toEqual(['a1', 'b2']);
    // Two sends are never an acceptable send-unknown.
    expect(verdict.unknown).toEqual([]);
    expect(verdict.ok.sort()).toEqual(['a2', 'a3', 'b1']);
  });

  it('reports send-unknown with no send or one send as unknown, not as lost or ok', () => {
    const verdict = checkQueue(history({ sends: ['a1', 'b1', 'b2', 'a3'], states: { ...allSent, a2: 'send-unknown', b2: 'send-unknown' } }));
    expect(verdict.unknown.sort()).toEqual(['a2', 'b2']);
    expect(verdict.lost).toEqual([]);
    expect(verdict.ok.sort()).toEqual(['a1', 'a3', 'b1']);
  });

  it('tells terminal states without a send (failed, unsent, skipped) apart from lost messages', () => {
    const verdict = checkQueue(history({ sends: ['a1', 'b2'], states: { ...allSent, b1: 'failed', a2: 'unsent', a3: 'skipped' } }));
    expect(verdict.unanswered.sort()).toEqual(['a2', 'a3', 'b1']);
    expect(verdict.lost).toEqual([]);
  });

  it('reports impossible combinations as inconsistent', () => {
    // Stored as sent without any send; a send for a message left mid-way; a send for a failed message.
    const verdict = checkQueue(history({ sends: ['b1', 'a2', 'b2'], states: { ...allSent, a2: 'sending', b2: 'failed' } }));
    expect(verdict.inconsistent.sort()).toEqual(['a1', 'a2', 'a3', 'b2']);
    expect(verdict.ok).toEqual(['b1']);
  });

  it('puts every message in exactly one outcome', () => {
    const verdict = checkQueue(
      history({ sends: ['a1', 'a1', 'b1', 'x9'], states: { a1: 'sent', b1: 'sent', a2: 'send-unknown', b2: 'failed' }, modelCalls: {} }),
    );
    const outcomes = [verdict.ok, verdict.lost, verdict.duplicated, verdict.unknown, verdict.unanswered, verdict.inconsistent];
    expect(outcomes.flat().sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(outcomes.map((ids) => ids.length)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('reports sends answering messages that were never enqueued', () => {
    expect(checkQueue(history({ sends: ['a1', 'b1', 'zz', 'a2', 'b2', 'a3', 'zz'] })).unexpected).toEqual(['zz']);
  });

  it('counts regenerations, and flags those more kills than the run had could not explain', () => {
    const twice = checkQueue(history({ modelCalls: { ...oneCallEach, a2: 2 }, kills: ['after-model'] }));
    expect(twice.regenerations).toEqual(['a2']);
    expect(twice.overGenerated).toEqual([]);

    expect(checkQueue(history({ modelCalls: { ...oneCallEach, a2: 2 } })).overGenerated).toEqual(['a2']);
    expect(checkQueue(history({ modelCalls: { ...oneCallEach, b1: 3 }, kills: ['after-model'] })).overGenerated).toEqual(['b1']);
  });

  it('reports a conversation whose replies went out in another order than its messages', () => {
    const verdict = checkQueue(history({ sends: ['a2', 'b1', 'a1', 'b2', 'a3'] }));
    expect(verdict.outOfOrder).toEqual(['a']);
  });

  it('keeps a conversation in order when a message has no send, or a duplicate of it comes late', () => {
    const gap = checkQueue(history({ sends: ['b1', 'a2', 'b2', 'a3'], states: { ...allSent, a1: 'send-unknown' } }));
    expect(gap.outOfOrder).toEqual([]);
    // Only the first send of a message counts for the order; the late copy is reported as a duplicate.
    const lateCopy = checkQueue(history({ sends: ['a1', 'b1', 'a2', 'b2', 'a3', 'a1'] }));
    expect(lateCopy.outOfOrder).toEqual([]);
    expect(lateCopy.duplicated).toEqual(['a1']);
  });

  it('tallies kills per crash point', () => {
    const verdict = checkQueue(history({ kills: ['after-send', 'after-model', 'after-send'] }));
    expect(verdict.killsByPoint).toEqual({ 'after-send': 2, 'after-model': 1 });
  });
});

describe('summaryOf', () => {
  it('names the counts the crash test prints', () => {
    const verdict = checkQueue(history({ sends: ['a1', 'b1', 'b1', 'b2', 'a3'], states: { ...allSent, a2: 'send-unknown' }, modelCalls: { a3: 2 }, kills: ['after-send', 'after-send'] }));
    expect(summaryOf('crash after-send', verdict)).toBe(
      'crash after-send: 5 messages, 2 kills (after-send 2): 3 ok, 0 lost, 1 duplicated, 1 send-unknown, 1 regenerations',
    );
  });
});

describe('checkQueue with timed model calls and kills', () => {
  it('attributes every second model call to its message and to the kill between it and the call before', () => {
    const verdict = checkQueue(
      history({
        modelCalls: { ...oneCallEach, a2: 3 },
        modelCallTimes: { a1: [10], a2: [100, 300, 700], a3: [50], b1: [20], b2: [60] },
        kills: ['after-claim', 'after-model', 'after-send'],
        killTimes: [40, 200, 650],
      }),
    );
    expect(verdict.secondCalls).toEqual([
      { messageId: 'a2', at: 300, kill: { index: 1, point: 'after-model', at: 200 } },
      { messageId: 'a2', at: 700, kill: { index: 2, point: 'after-send', at: 650 } },
    ]);
    expect(verdict.overGenerated).toEqual([]);
  });

  it('flags a second model call that no kill between the two calls explains, even when the run had kills', () => {
    const verdict = checkQueue(
      history({
        modelCalls: { ...oneCallEach, b1: 2 },
        modelCallTimes: { b1: [100, 300] },
        // Kills before the first call and after the second explain nothing.
        kills: ['after-model', 'after-model'],
        killTimes: [50, 400],
      }),
    );
    expect(verdict.secondCalls).toEqual([{ messageId: 'b1', at: 300 }]);
    expect(verdict.overGenerated).toEqual(['b1']);
  });

  it('reports every message put to the model again after its reply was stored', () => {
    const verdict = checkQueue(
      history({
        modelCalls: { ...oneCallEach, a1: 2, b2: 2 },
        modelCallTimes: { a1: [100, 300], b2: [100, 300] },
        kills: ['after-store-reply', 'after-model'],
        killTimes: [150, 160],
        // a1's reply was stored before its second call; b2's first reply was never stored.
        replyStoredAt: { a1: 120, b2: 310 },
      }),
    );
    expect(verdict.afterStored).toEqual([{ messageId: 'a1', at: 300, storedAt: 120 }]);
    expect(verdict.secondCalls.map((call) => call.messageId)).toEqual(['a1', 'b2']);
  });

  it('does not take a call in the same millisecond as the stored reply for one after it: the reply\'s time is whole milliseconds', () => {
    // The call is timed to a fraction of a millisecond by the model double; the reply's createdAt is the worker's Date.now().
    const verdict = checkQueue(history({ modelCallTimes: { a1: [1_000.04] }, replyStoredAt: { a1: 1_000 } }));
    expect(verdict.afterStored).toEqual([]);
    const later = checkQueue(history({ modelCalls: { ...oneCallEach, a1: 2 }, modelCallTimes: { a1: [900.5, 1_001.2] }, replyStoredAt: { a1: 1_000 } }));
    expect(later.afterStored).toEqual([{ messageId: 'a1', at: 1_001.2, storedAt: 1_000 }]);
  });

  it('counts send-unknown replies a delivery status resolved', () => {
    const verdict = checkQueue(history({ states: { ...allSent, a2: 'send-unknown' }, sends: ['a1', 'b1', 'a2', 'b2', 'a3'], resolved: ['b1', 'a3'] }));
    expect(verdict.resolved.sort()).toEqual(['a3', 'b1']);
    expect(verdict.ok.sort()).toEqual(['a1', 'a3', 'b1', 'b2']);
    expect(summaryOf('crash after-send', verdict)).toContain('1 send-unknown, 2 unknown outcomes resolved by a status');
  });
});
