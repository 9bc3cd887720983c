import type { EmbeddedRun, TranscriptEntry } from './embedded-run.js';
import type { QueueHistory } from './queue-checker.js';

// What a restart test reads off an EmbeddedRun's doubles and transcript once it has settled.

/** What the queue checker needs: the named messages in order, the sends, the stored states and the model calls. */
export function historyOf(run: EmbeddedRun, names: readonly string[], transcript: readonly TranscriptEntry[], kills: { points: string[]; times: number[] }): QueueHistory {
  const enqueued = names.map((name) => ({ messageId: run.notificationOf(name).wamid, conversationId: run.conversationId }));
  const byText = new Map(names.map((name) => [run.notificationOf(name).text, run.notificationOf(name).wamid]));
  const modelCalls: Record<string, number> = {};
  const modelCallTimes: Record<string, number[]> = {};
  for (const request of run.openai.chatRequests) {
    const messageId = byText.get(lastUserTurn(request.body) ?? '');
    if (!messageId) continue;
    modelCalls[messageId] = (modelCalls[messageId] ?? 0) + 1;
    // The double's clock is this process's; the processes stamp replies with the same machine's epoch clock.
    (modelCallTimes[messageId] ??= []).push(performance.timeOrigin + request.arrivedAt);
  }
  const states: Record<string, string> = {};
  const replyStoredAt: Record<string, number> = {};
  for (const entry of transcript) {
    states[entry.id] = entry.state;
    if (entry.reply) replyStoredAt[entry.id] = Date.parse(entry.reply.createdAt);
  }
  const sends = run.graph.sends.map((send) => (send.body as { context?: { message_id?: string } } | undefined)?.context?.message_id ?? '(no context)');
  return { enqueued, sends, states, modelCalls, modelCallTimes, replyStoredAt, kills: kills.points, killTimes: kills.times };
}

/** The turns of the last model call for the named message. */
export function lastModelCallFor(run: EmbeddedRun, name: string): { role: string; content: string }[] | undefined {
  const text = run.notificationOf(name).text;
  return run.openai.chatRequests
    .filter((request) => lastUserTurn(request.body) === text)
    .map((request) => (request.body as { messages: { role: string; content: string }[] }).messages)
    .at(-1);
}

/** The first send answering each inbound message: the reply the customer got. */
export function firstSends(run: EmbeddedRun): Map<string, string> {
  const sent = new Map<string, string>();
  for (const send of run.graph.sends) {
    const body = send.body as { context?: { message_id?: string }; text?: { body?: string } } | undefined;
    const answered = body?.context?.message_id;
    if (answered && !sent.has(answered)) sent.set(answered, body.text?.body ?? '');
  }
  return sent;
}

function lastUserTurn(body: unknown): string | undefined {
  const messages = (body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
  return messages.filter((m) => m.role === 'user').at(-1)?.content;
}
