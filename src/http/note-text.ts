import type { MessageRecord } from '../domain/model/message-record.js';
import type { NoteReason } from '../domain/model/reasons.js';

/** What an operator does about a note: a channel that does not send names the setting it lacks. */
const OPERATOR_HINTS: Partial<Record<NoteReason, string>> = {
  whatsapp_sending_not_configured: 'set WHATSAPP_ACCESS_TOKEN',
  api_channel_not_configured: 'set API_CALLBACK_SECRET',
};

/** A record's note as the API and the dashboard show it: the reason, with the operator's hint when there is one. */
export function noteText(record: MessageRecord): string | null {
  if (!record.note) return null;
  const hint = OPERATOR_HINTS[record.note];
  return hint ? `${record.note} (${hint})` : record.note;
}
