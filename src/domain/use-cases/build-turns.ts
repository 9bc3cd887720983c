import { textOf } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatTurn } from '../ports/completion-model.js';

/** Earlier exchanges as alternating turns, then the message being answered as the last user turn. */
export function buildTurns(history: readonly MessageRecord[], prompt: string): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const record of history) {
    const text = textOf(record.message.content);
    if (text !== undefined) turns.push({ role: 'user', content: text });
    if (record.reply) turns.push({ role: 'assistant', content: record.reply.text });
  }
  turns.push({ role: 'user', content: prompt });
  return turns;
}
