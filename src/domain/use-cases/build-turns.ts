import type { AgentReply } from '../model/agent-reply.js';
import { textOf } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatTurn } from '../ports/completion-model.js';
import type { TokenCounter } from '../ports/token-counter.js';

/** How a transcribed voice note is put to the model. */
export const voiceNotePrompt = (transcript: string): string => `[voice note] ${transcript}`;

/** Per-message framing the chat format adds around each turn (role, separators). */
export const TOKENS_PER_TURN = 4;

/**
 * How a person's reply is put to the model once the bot has the conversation back: an assistant
 * turn (it was said to the user on our side), marked as a person's so the model neither claims
 * it nor imitates the marker as its own voice.
 */
export const agentTurnText = (reply: Pick<AgentReply, 'agent' | 'text'>): string => `[${reply.agent}, a person on our team, replied:] ${reply.text}`;

/** Agent replies that reached (or may have reached) the person: the ones the model should know were said. */
const said = (reply: AgentReply): boolean => reply.state === 'sent' || reply.state === 'send-unknown';

/** One earlier exchange: the user's message, the reply to it when there was one, and what a person replied after it. */
function exchangeOf(record: MessageRecord, agentReplies: readonly AgentReply[]): ChatTurn[] {
  // A folded message is part of the exchange of the message whose completion answered it.
  if (record.foldedInto !== undefined) return [];
  const turns: ChatTurn[] = [];
  const text = record.transcript !== undefined ? voiceNotePrompt(record.transcript) : textOf(record.message.content);
  if (text !== undefined) turns.push({ role: 'user', content: text });
  for (const folded of record.folded ?? []) turns.push({ role: 'user', content: folded });
  if (record.reply) turns.push({ role: 'assistant', content: record.reply.text });
  for (const reply of agentReplies) if (reply.inReplyTo === record.message.id && said(reply) && !reply.template) turns.push({ role: 'assistant', content: agentTurnText(reply) });
  return turns;
}

/**
 * The message being answered (with any folded into it) as the last user turns, preceded by as many of the newest earlier
 * exchanges as fit in `budget` tokens together with the system prompt (whole exchanges only), agent replies included.
 */
export function buildTurns(
  history: readonly MessageRecord[],
  prompts: string | readonly string[],
  budget: { tokens: number; systemPrompt: string; counter: TokenCounter } | undefined = undefined,
  agentReplies: readonly AgentReply[] = [],
): ChatTurn[] {
  const last: ChatTurn[] = (typeof prompts === 'string' ? [prompts] : prompts).map((content) => ({ role: 'user', content }));
  const exchanges = history.map((record) => exchangeOf(record, agentReplies));
  const whole = [...exchanges.flat(), ...last];
  if (!budget || bytesFit(budget, whole)) return whole;
  const cost = (turn: ChatTurn) => budget.counter.count(turn.content) + TOKENS_PER_TURN;
  let left = budget.tokens - budget.counter.count(budget.systemPrompt) - TOKENS_PER_TURN - last.reduce((sum, turn) => sum + cost(turn), 0);
  const kept: ChatTurn[][] = [];
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const exchange = exchanges[i]!;
    const needed = exchange.reduce((sum, turn) => sum + cost(turn), 0);
    if (needed > left) break;
    left -= needed;
    kept.unshift(exchange);
  }
  return [...kept.flat(), ...last];
}

/**
 * Whether the whole prompt fits by its UTF-8 bytes, which no count exceeds (TokenCounter): then
 * every exchange fits and nothing needs counting (most conversations are short).
 */
function bytesFit(budget: { tokens: number; systemPrompt: string }, turns: readonly ChatTurn[]): boolean {
  let bytes = Buffer.byteLength(budget.systemPrompt, 'utf8') + TOKENS_PER_TURN;
  for (const turn of turns) {
    bytes += Buffer.byteLength(turn.content, 'utf8') + TOKENS_PER_TURN;
    if (bytes > budget.tokens) return false;
  }
  return true;
}
