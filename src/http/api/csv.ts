import type { ConversationSummary } from '../../domain/model/analytics.js';

export const CSV_COLUMNS = [
  'conversation_id', 'channel', 'account_id', 'participant', 'profile_name', 'first_message_at', 'last_message_at', 'messages_in', 'messages_out', 'prompt_tokens', 'completion_tokens',
  'cost_usd', 'ai_cost_usd', 'whatsapp_cost_usd', 'last_delivery', 'mode', 'agent_replies', 'tool_calls',
] as const;

/** With `participant=full`: the masked participant's column is followed by the whole number or user id. */
export const FULL_CSV_COLUMNS = [...CSV_COLUMNS.slice(0, 4), 'participant_id', ...CSV_COLUMNS.slice(4)] as const;

/** A row and, for an export with whole numbers, the participant's id from the chat store ('' when the conversation is gone). */
export type CsvRow = ConversationSummary & { participantId?: string };

/** One RFC 4180 field: quoted when needed, and neutralised when a spreadsheet would run it as a formula. */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(c: CsvRow): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const who = c.participantId === undefined ? [c.participant ?? ''] : [c.participant ?? '', c.participantId];
  return `${[c.id, c.channel, c.accountId, ...who, c.profileName ?? '', iso(c.firstMessageAt), iso(c.lastMessageAt), c.messagesIn, c.messagesOut, c.tokens.prompt, c.tokens.completion, c.costUsd, c.costBreakdown.aiUsd, c.costBreakdown.whatsappUsd, c.lastDelivery ?? '', c.mode, c.agentReplies, c.toolCalls].map(csvField).join(',')}\r\n`;
}

/** Rows looked up per batch, side by side. */
const LOOKUP_BATCH = 100;

/** Each row with its participant's whole id, looked up a batch at a time ('' for a conversation no longer in the chat store). */
export async function* withParticipantIds(rows: AsyncIterable<ConversationSummary>, lookup: (ids: string[]) => Promise<Map<string, string>>): AsyncIterable<CsvRow> {
  let batch: ConversationSummary[] = [];
  const flush = async function* () {
    const ids = await lookup(batch.map((row) => row.id));
    for (const row of batch) yield { ...row, participantId: ids.get(row.id) ?? '' };
    batch = [];
  };
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === LOOKUP_BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

/** The rows as a byte stream pulled one row at a time: memory stays flat however many rows there are. */
export function csvStream(rows: AsyncIterable<CsvRow>, onError: (error: unknown) => void, columns: readonly string[] = CSV_COLUMNS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${columns.join(',')}\r\n`));
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(csvRow(next.value)));
      } catch (error) {
        onError(error);
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
