import type { ConversationSummary } from '../../domain/model/analytics.js';

export const CSV_COLUMNS = [
  'conversation_id', 'channel', 'account_id', 'participant', 'profile_name', 'first_message_at', 'last_message_at', 'messages_in', 'messages_out', 'prompt_tokens', 'completion_tokens',
  'cost_usd', 'ai_cost_usd', 'whatsapp_cost_usd', 'last_delivery', 'mode',
] as const;

/** One RFC 4180 field: quoted when needed, and neutralised when a spreadsheet would run it as a formula. */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(c: ConversationSummary): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  return `${[c.id, c.channel, c.accountId, c.participant ?? '', c.profileName ?? '', iso(c.firstMessageAt), iso(c.lastMessageAt), c.messagesIn, c.messagesOut, c.tokens.prompt, c.tokens.completion, c.costUsd, c.costBreakdown.aiUsd, c.costBreakdown.whatsappUsd, c.lastDelivery ?? '', c.mode].map(csvField).join(',')}\r\n`;
}

/** The rows as a byte stream pulled one row at a time: memory stays flat however many rows there are. */
export function csvStream(rows: AsyncIterable<ConversationSummary>, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(',')}\r\n`));
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
