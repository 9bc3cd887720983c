import type { MessageRecord } from '../../src/domain/model/message-record.js';
import type { FaultRig } from './fault-rig.js';
import type { GraphRequest } from './graph-api-double.js';

export interface Verdict {
  messages: number;
  /**
   * Sent exactly once, stored as `sent` with that send's id and text (or as `send-unknown` when the
   * answer to that one send was lost), no model answer made after the stored one.
   */
  answeredOnce: number;
  /** Of those, stored as `send-unknown`: accepted once, the answer lost, never resent. */
  unknown: number;
  /** Sends beyond the first, plus model answers generated after the stored one. */
  duplicates: number;
  /** One readable line per thing that went wrong. */
  problems: string[];
  summary: string;
}

const textOf = (record: MessageRecord | undefined): string => (record?.message.content.type === 'text' ? record.message.content.body : '');
const contextOf = (send: GraphRequest): string | undefined => (send.body as { context?: { message_id?: string } } | undefined)?.context?.message_id;
const bodyOf = (send: GraphRequest): string | undefined => (send.body as { text?: { body?: string } } | undefined)?.text?.body;
const lastUserMessage = (body: unknown): string | undefined =>
  ((body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? []).filter((m) => m.role === 'user').at(-1)?.content;

/**
 * What the rig's doubles saw and its Firestore project holds, once settled, checked message by
 * message: exactly one accepted send (by `context.message_id`), state `sent` with that send's
 * outbound id and the stored reply's text (or `send-unknown` with no outbound id, when the worker
 * never learnt the outcome of that one send: delivered, neither lost nor duplicated), each conversation's replies in the order its messages
 * were written, and no model answer generated after the one that was stored (answers are tagged
 * with their request's index). An answer made before the stored one was never stored (its write
 * failed) and is counted as regenerated, not as a duplicate.
 */
export function verdictOf(rig: FaultRig, records: Map<string, MessageRecord>, elapsedMs: number): Verdict {
  const problems: string[] = [];
  const accepted = rig.graph.sends.filter((send) => send.outcome.kind === 'accepted');
  const answers = rig.openai.requests.flatMap((request, index) =>
    request.endpoint === 'chat.completions' && request.outcome.kind === 'answered' ? [{ index, text: lastUserMessage(request.body) }] : [],
  );
  const ids = new Set(rig.messages.map((m) => m.id));
  let answeredOnce = 0;
  let unknown = 0;
  let duplicates = 0;
  let regenerated = 0;
  let discarded = 0;
  const kinds = { ai: 0, fallback: 0, other: 0 };

  for (const message of rig.messages) {
    const name = `${message.content.type === 'text' ? message.content.body : message.id}`;
    const record = records.get(message.id);
    const sends = accepted.filter((send) => contextOf(send) === message.id);
    const made = answers.filter((answer) => answer.text === textOf(record)).map((answer) => answer.index);
    let fine = true;
    if (sends.length !== 1) {
      problems.push(`${name}: sent ${sends.length} times`);
      duplicates += Math.max(0, sends.length - 1);
      fine = false;
    }
    const unknownOutcome = record?.state === 'send-unknown' && sends.length === 1;
    if (record?.state !== 'sent' && !unknownOutcome) {
      problems.push(`${name}: state ${record?.state ?? 'missing'}${record?.failure ? ` (${record.failure.stage}: ${record.failure.reason})` : ''}`);
      fine = false;
    } else if (sends.length === 1) {
      const wamid = unknownOutcome ? '' : sends[0]!.outcome.kind === 'accepted' ? sends[0]!.outcome.wamid : '';
      if (record.outboundIds.join() !== wamid) problems.push(`${name}: stored outbound ids ${record.outboundIds.join()} but ${wamid} was sent`), (fine = false);
      if (bodyOf(sends[0]!) !== record.reply?.text) problems.push(`${name}: sent "${bodyOf(sends[0]!)}" but stored "${record.reply?.text}"`), (fine = false);
    }
    const kind = record?.reply?.kind;
    kinds[kind === 'ai' || kind === 'fallback' ? kind : 'other'] += 1;
    if (kind === 'ai') {
      const stored = Number(/#(\d+)$/.exec(record!.reply!.text)?.[1] ?? -1);
      const after = made.filter((index) => index > stored);
      regenerated += made.filter((index) => index < stored).length;
      if (!made.includes(stored)) problems.push(`${name}: stored answer #${stored} is not one the model gave for it`), (fine = false);
      if (after.length > 0) {
        problems.push(`${name}: model answered again after the stored answer #${stored}: ${after.map((i) => `#${i}`).join(', ')}`);
        duplicates += after.length;
        fine = false;
      }
    } else {
      discarded += made.length;
    }
    if (fine) answeredOnce += 1;
    if (fine && unknownOutcome) unknown += 1;
  }

  for (const conversationId of new Set(rig.messages.map((m) => m.conversationId))) {
    const written = rig.messages.filter((m) => m.conversationId === conversationId).map((m) => m.id);
    const sent = accepted.map(contextOf).filter((id): id is string => id !== undefined && written.includes(id));
    const firstSends = sent.filter((id, i) => sent.indexOf(id) === i);
    const expected = written.filter((id) => firstSends.includes(id));
    if (firstSends.join() !== expected.join()) problems.push(`conversation ${conversationId}: replies out of order`);
  }
  const strays = accepted.filter((send) => !ids.has(contextOf(send) ?? ''));
  if (strays.length > 0) problems.push(`${strays.length} sends answer no published message`);
  if (rig.deadLettered.length > 0) problems.push(`${rig.deadLettered.length} inbound messages dead-lettered`);

  const chat = rig.openai.chatRequests;
  const graphSends = rig.graph.sends;
  const details = [
    `${kinds.ai} ai, ${kinds.fallback} fallback`,
    `${unknown} send-unknown (accepted, answer dropped)`,
    `${regenerated} regenerated before storing, ${discarded} answers discarded`,
    `openai ${chat.length} requests (${chat.filter((r) => r.outcome.kind === 'dropped').length} reset)`,
    `graph ${graphSends.length} sends (${graphSends.filter((r) => r.outcome.kind === 'reset').length} reset, ${graphSends.filter((r) => r.dropped).length} dropped)`,
    `firestore proxy ${rig.proxy.counters.accepted} connections (${rig.proxy.counters.reset} reset)`,
    `${(elapsedMs / 1000).toFixed(1)} s`,
  ];
  const summary = `faults: ${rig.label}: ${rig.messages.length} messages, ${answeredOnce} answered once, ${duplicates} duplicates (${details.join('; ')})`;
  return { messages: rig.messages.length, answeredOnce, unknown, duplicates, problems, summary };
}
