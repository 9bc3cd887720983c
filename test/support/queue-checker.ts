// A total-queue checker in the manner of Jepsen's: given everything that was enqueued and
// everything observed downstream over a whole run, it classifies every message exactly once.
// Pure: no I/O, so it is unit-tested on hand-made histories (test/unit/queue-checker.test.ts).

/** States a stored message may end in (see MessageState); absent when it was never stored. */
const TERMINAL = new Set(['sent', 'unsent', 'failed', 'send-unknown', 'skipped']);

export interface EnqueuedMessage {
  messageId: string;
  conversationId: string;
}

export interface QueueHistory {
  /** What was published, in publish order (which is arrival order within a conversation). */
  enqueued: readonly EnqueuedMessage[];
  /** The inbound message id each observed send answers (`context.message_id`), in arrival order at the channel. */
  sends: readonly string[];
  /** The final stored state of each message; a message missing here was never stored. */
  states: Readonly<Record<string, string>>;
  /** Model calls per message; a message missing here was never put to the model. */
  modelCalls: Readonly<Record<string, number>>;
  /** The crash point of every killed worker, one entry per kill. */
  kills: readonly string[];
  /** When each kill was seen (epoch ms), in the order of `kills`. */
  killTimes?: readonly number[];
  /** When each model call of a message was made (epoch ms), oldest first. */
  modelCallTimes?: Readonly<Record<string, readonly number[]>>;
  /** When each message's reply was stored (epoch ms); missing when none was. */
  replyStoredAt?: Readonly<Record<string, number>>;
  /** Messages whose `send-unknown` outcome a delivery status later settled. */
  resolved?: readonly string[];
}

/** A model call after the first one for the same message, with the kill that explains it (none: unexplained). */
export interface SecondCall {
  messageId: string;
  at: number;
  kill?: { index: number; point: string; at: number };
}

export interface QueueVerdict {
  total: number;
  /** Exactly one send and stored as sent. */
  ok: string[];
  /** No send and no terminal state: the message vanished. */
  lost: string[];
  /** More than one send for one message. */
  duplicated: string[];
  /** Stored as send-unknown with at most one send: the sender died between the send and its record. */
  unknown: string[];
  /** Terminal without a send on purpose (failed, unsent, skipped). */
  unanswered: string[];
  /** Any other combination (a `sent` record without a send, a send for a message left mid-way…). */
  inconsistent: string[];
  /** Sends answering a message that was never enqueued. */
  unexpected: string[];
  /** Messages whose model was called more than once (a generation redone after a kill). */
  regenerations: string[];
  /**
   * Messages put to the model more often than one call plus one per kill of the run could explain,
   * or (with call and kill times) with a second call that no kill between it and the call before explains.
   */
  overGenerated: string[];
  /** Every model call after a message's first, attributed to the latest kill since the call before it. */
  secondCalls: SecondCall[];
  /** Model calls made after the message's reply was already stored: never allowed. */
  afterStored: { messageId: string; at: number; storedAt: number }[];
  /** Messages whose unknown send outcome a delivery status settled (they count as ok; `unknown` holds those still unknown). */
  resolved: string[];
  /** Conversations whose sends did not follow the order of their messages. */
  outOfOrder: string[];
  /** Kills per crash point. */
  killsByPoint: Record<string, number>;
}

export function checkQueue(history: QueueHistory): QueueVerdict {
  const sendCount = new Map<string, number>();
  for (const id of history.sends) sendCount.set(id, (sendCount.get(id) ?? 0) + 1);
  const enqueuedIds = new Set(history.enqueued.map((m) => m.messageId));
  const verdict: QueueVerdict = {
    total: enqueuedIds.size,
    ok: [],
    lost: [],
    duplicated: [],
    unknown: [],
    unanswered: [],
    inconsistent: [],
    unexpected: [...new Set(history.sends.filter((id) => !enqueuedIds.has(id)))],
    regenerations: [],
    overGenerated: [],
    secondCalls: [],
    afterStored: [],
    resolved: [...new Set(history.resolved ?? [])].filter((id) => enqueuedIds.has(id)),
    outOfOrder: outOfOrder(history),
    killsByPoint: tally(history.kills),
  };
  for (const messageId of enqueuedIds) {
    verdict[outcomeOf(history.states[messageId], sendCount.get(messageId) ?? 0)].push(messageId);
    const calls = history.modelCalls[messageId] ?? 0;
    if (calls > 1) verdict.regenerations.push(messageId);
    const times = history.modelCallTimes?.[messageId] ?? [];
    const seconds = secondCallsOf(messageId, times, history);
    verdict.secondCalls.push(...seconds);
    if (calls > 1 + history.kills.length || seconds.some((call) => !call.kill)) verdict.overGenerated.push(messageId);
    const storedAt = history.replyStoredAt?.[messageId];
    // createdAt is whole milliseconds (Date.now()): a call timed within that millisecond is not after it.
    const late = storedAt === undefined ? undefined : times.find((at) => at >= storedAt + 1);
    if (late !== undefined) verdict.afterStored.push({ messageId, at: late, storedAt: storedAt! });
  }
  return verdict;
}

/** A redone generation is explained only by a kill after the call it redoes: the latest such kill is its cause. */
function secondCallsOf(messageId: string, times: readonly number[], history: QueueHistory): SecondCall[] {
  const killTimes = history.killTimes ?? [];
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((at, i) => {
    const previous = sorted[i]!;
    let index = -1;
    for (let k = 0; k < killTimes.length; k++) if (killTimes[k]! > previous && killTimes[k]! < at && (index === -1 || killTimes[k]! >= killTimes[index]!)) index = k;
    return index === -1 ? { messageId, at } : { messageId, at, kill: { index, point: history.kills[index]!, at: killTimes[index]! } };
  });
}

type Outcome = 'ok' | 'lost' | 'duplicated' | 'unknown' | 'unanswered' | 'inconsistent';

function outcomeOf(state: string | undefined, sends: number): Outcome {
  if (sends > 1) return 'duplicated';
  if (state === 'send-unknown') return 'unknown';
  if (state === 'sent') return sends === 1 ? 'ok' : 'inconsistent';
  const terminal = state !== undefined && TERMINAL.has(state);
  if (sends === 0) return terminal ? 'unanswered' : 'lost';
  return 'inconsistent';
}

/** A conversation is in order when the first sends of its messages come in the order the messages were enqueued. */
function outOfOrder(history: QueueHistory): string[] {
  const position = new Map<string, { conversationId: string; index: number }>();
  const counters = new Map<string, number>();
  for (const { messageId, conversationId } of history.enqueued) {
    if (position.has(messageId)) continue;
    const index = counters.get(conversationId) ?? 0;
    counters.set(conversationId, index + 1);
    position.set(messageId, { conversationId, index });
  }
  const lastSent = new Map<string, number>();
  const seen = new Set<string>();
  const broken = new Set<string>();
  for (const messageId of history.sends) {
    const at = position.get(messageId);
    if (!at || seen.has(messageId)) continue;
    seen.add(messageId);
    if ((lastSent.get(at.conversationId) ?? -1) > at.index) broken.add(at.conversationId);
    lastSent.set(at.conversationId, Math.max(at.index, lastSent.get(at.conversationId) ?? -1));
  }
  return [...broken];
}

function tally(points: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const point of points) counts[point] = (counts[point] ?? 0) + 1;
  return counts;
}

/** One line: `<label>: 12 messages, 5 kills (after-model 5): 12 ok, 0 lost, 0 duplicated, 1 send-unknown, 2 regenerations`. */
export function summaryOf(label: string, verdict: QueueVerdict): string {
  const kills = Object.entries(verdict.killsByPoint).map(([point, count]) => `${point} ${count}`).join(', ');
  const killCount = Object.values(verdict.killsByPoint).reduce((sum, count) => sum + count, 0);
  return (
    `${label}: ${verdict.total} messages, ${killCount} kills${kills ? ` (${kills})` : ''}: ${verdict.ok.length} ok, ${verdict.lost.length} lost, ` +
    `${verdict.duplicated.length} duplicated, ${verdict.unknown.length} send-unknown` +
    (verdict.resolved.length > 0 ? `, ${verdict.resolved.length} unknown outcomes resolved by a status` : '') +
    `, ${verdict.regenerations.length} regenerations` +
    verdict.secondCalls.map((call) => ` [${call.messageId.slice(-8)} again ${call.kill ? `after kill #${call.kill.index + 1} ${call.kill.point}` : 'WITHOUT A KILL'}]`).join('') +
    (verdict.afterStored.length > 0 ? `, ${verdict.afterStored.length} model calls after the reply was stored` : '') +
    (verdict.unanswered.length + verdict.inconsistent.length + verdict.unexpected.length + verdict.outOfOrder.length > 0
      ? `, ${verdict.unanswered.length} unanswered, ${verdict.inconsistent.length} inconsistent, ${verdict.unexpected.length} unexpected, ${verdict.outOfOrder.length} out of order`
      : '')
  );
}
