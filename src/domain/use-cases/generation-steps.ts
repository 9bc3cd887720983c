import { isRetryable, MessageInProgressError } from '../model/errors.js';
import { planFor, type ContentPlan } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { HandoffLog } from '../ports/handoff-log.js';
import type { MessageLog } from '../ports/message-log.js';
import type { Clock } from '../ports/clock.js';
import type { Transcriber } from '../ports/transcriber.js';
import { voiceNotePrompt } from './build-turns.js';
import { awaitedEarlier, foldableAfter, RECENT_MESSAGES } from './conversation-turn.js';
import type { LeaseBudget } from './lease-budget.js';
import type { ReplyPolicy } from './reply-policy.js';

/** The steps of a generation that run under its lease, each within what remains of it. */
export interface GenerationSteps {
  store: MessageLog & ConversationArchive & HandoffLog;
  clock: Clock;
  policy: ReplyPolicy;
  transcriber: Transcriber;
}

/**
 * A burst: later messages that arrived within the coalescing window are answered by this one
 * completion. They are recorded as `skipped`, note `folded`, with `foldedInto` naming this message (never dropped), unless a person
 * took the conversation over meanwhile, and this message keeps their prompts so a retried generation covers them again. `settled`: the messages folded by this call.
 */
export async function foldBurst(
  steps: GenerationSteps,
  record: MessageRecord,
  budget: LeaseBudget,
  windowFrom: number,
): Promise<{ record: MessageRecord; prompts: string[]; recent?: MessageRecord[]; settled: MessageRecord[] }> {
  const { store, clock, policy } = steps;
  if (policy.coalesceWindowMs <= 0) return { record, prompts: [], settled: [] };
  const waitMs = windowFrom + policy.coalesceWindowMs - clock.now();
  // The wait is part of the lease too: it never eats into the model's share beyond the deadline.
  if (waitMs > 0) await clock.sleep(Math.min(waitMs, budget.remainingMs()));
  const recent = await store.messages(record.message.conversationId, { limit: RECENT_MESSAGES });
  // An unordered bus may hand a burst over out of order: an earlier message that turned up
  // meanwhile goes first and folds this one in, so this one steps back (no failure recorded).
  const awaited = awaitedEarlier(recent, record, clock.now(), policy.leaseMs, policy.coalesceWindowMs);
  if (awaited) {
    const { message } = record;
    await store.transition(message.conversationId, message.id, record.version, { state: 'received', leaseUntil: 0, updatedAt: clock.now() });
    throw new MessageInProgressError(message.id, awaited);
  }
  const prompts = [...(record.folded ?? [])];
  const settled: MessageRecord[] = [];
  for (const later of foldableAfter(recent, record, policy.coalesceWindowMs)) {
    // Claimed like any message: one that came after a person took the conversation over is theirs, left for its own delivery.
    const claimed = await store.claim(later.message.conversationId, later.message.id, later.version, {
      bot: { state: 'skipped', note: 'folded', foldedInto: record.message.id, updatedAt: clock.now() },
      human: { updatedAt: clock.now() },
    });
    const folded = claimed?.mode === 'bot' ? claimed.record : null;
    if (folded) settled.push(folded);
    const plan = planFor(later.message.content);
    if (folded && plan.action === 'complete') prompts.push(plan.prompt);
  }
  if (prompts.length === (record.folded?.length ?? 0)) return { record, prompts, recent, settled };
  const updated = await store.transition(record.message.conversationId, record.message.id, record.version, { folded: prompts, updatedAt: clock.now() });
  // Lost the lease meanwhile: the taker-over folds again from what is stored.
  if (!updated) throw new MessageInProgressError(record.message.id);
  return { record: updated, prompts, recent, settled };
}

/**
 * What the message asks: a voice note is transcribed first, under the lease and within what
 * remains of it (once: the transcript is stored with the message), then answered like text;
 * without a transcript it gets the media reply.
 */
export async function understand(steps: GenerationSteps, record: MessageRecord, budget: LeaseBudget): Promise<{ record: MessageRecord; plan: ContentPlan }> {
  const { store, clock, transcriber } = steps;
  const plan = planFor(record.message.content);
  if (record.message.content.type !== 'audio') return { record, plan };
  if (record.transcript !== undefined) return { record, plan: { action: 'complete', prompt: voiceNotePrompt(record.transcript) } };
  let transcript: string | null;
  try {
    transcript = await transcriber.transcribe(record.message, { timeoutMs: budget.remainingMs() });
  } catch (error) {
    if (isRetryable(error)) throw error;
    return { record, plan };
  }
  if (!transcript) return { record, plan };
  const { message } = record;
  const stored = await store.transition(message.conversationId, message.id, record.version, { transcript, updatedAt: clock.now() });
  // Lost the lease meanwhile: the taker-over continues from what is stored.
  if (!stored) throw new MessageInProgressError(message.id);
  return { record: stored, plan: { action: 'complete', prompt: voiceNotePrompt(transcript) } };
}
