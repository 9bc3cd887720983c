import { textOf } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatTurn } from '../ports/completion-model.js';
import type { TokenCounter } from '../ports/token-counter.js';

/** How a transcribed voice note is put to the model. */
export const voiceNotePrompt = (transcript: string): string => `[voice note] ${transcript}`;

/** Per-message framing the chat format adds around each turn (role, separators). */
export const TOKENS_PER_TURN = 4;

/** One earlier exchange: the user's message and, when there was one, the reply to it. */
function exchangeOf(record: MessageRecord): ChatTurn[] {
  const turns: ChatTurn[] = [];
  const text = record.transcript !== undefined ? voiceNotePrompt(record.transcript) : textOf(record.message.content);
  if (text !== undefined) turns.push({ role: 'user', content: text });
  if (record.reply) turns.push({ role: 'assistant', content: record.reply.text });
  return turns;
}

/**
 * The message being answered as the last user turn, preceded by as many of the newest earlier
 * exchanges as fit in `budget` tokens together with the system prompt (whole exchanges only).
 */
export function buildTurns(
  history: readonly MessageRecord[],
  prompt: string,
  budget: { tokens: number; systemPrompt: string; counter: TokenCounter } | undefined = undefined,
): ChatTurn[] {
  const cost = (turn: ChatTurn) => (budget ? budget.counter.count(turn.content) + TOKENS_PER_TURN : 0);
  const last: ChatTurn = { role: 'user', content: prompt };
  let left = budget ? budget.tokens - budget.counter.count(budget.systemPrompt) - TOKENS_PER_TURN - cost(last) : Infinity;
  const kept: ChatTurn[][] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const exchange = exchangeOf(history[i]!);
    const needed = exchange.reduce((sum, turn) => sum + cost(turn), 0);
    if (needed > left) break;
    left -= needed;
    kept.unshift(exchange);
  }
  return [...kept.flat(), last];
}
