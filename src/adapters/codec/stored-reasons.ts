import { z } from 'zod';
import type { Failure, MessageRecord, WindowTemplateSend } from '../../domain/model/message-record.js';
import type { FailureReason, NoteReason, SendFailureReason } from '../../domain/model/reasons.js';

// Reasons were once stored and published in kebab-case (`outside-service-window`), some notes with
// an operator hint (`whatsapp-sending-not-configured (set WHATSAPP_ACCESS_TOKEN)`) and two notes
// carrying data behind a prefix. What is already stored or in flight is read through these, once,
// where it enters: the domain only ever sees the current spelling.

const SNAKE_CASE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const FOLDED_INTO = 'folded-into:';
const TEMPLATE_FALLBACK = 'template-fallback:';

/** A stored reason in the current spelling: snake_case, without a trailing ` (hint)`. */
export const currentSpelling = (stored: string): string => stored.replace(/ \(.*\)$/, '').replaceAll('-', '_');

/** A reason read from outside (a bus message, a stored fact), in either spelling. */
const storedReason = z.string().transform(currentSpelling).pipe(z.string().regex(SNAKE_CASE, 'not a reason'));

// The regex proves the shape; which reasons exist is the writer's union (they come from our own code).
export const failureReasonSchema = storedReason.transform((reason) => reason as FailureReason);
export const sendFailureReasonSchema = storedReason.transform((reason) => reason as SendFailureReason);

/** A message record as an older version may have stored it: reasons and notes as plain strings. */
export type StoredRecord = Omit<MessageRecord, 'note' | 'failure' | 'windowTemplate'> & {
  note?: string;
  failure?: Omit<Failure, 'reason'> & { reason: string };
  windowTemplate?: Omit<WindowTemplateSend, 'reason'> & { reason?: string };
};

/** A record as stored, possibly by an older version: old reason spellings and note prefixes become fields. */
export function currentRecord(stored: StoredRecord): MessageRecord {
  const { note, failure, windowTemplate, ...rest } = stored;
  const next: MessageRecord = { ...rest };
  if (failure) next.failure = { ...failure, reason: currentSpelling(failure.reason) as FailureReason };
  if (windowTemplate) {
    const { reason, ...template } = windowTemplate;
    next.windowTemplate = reason ? { ...template, reason: currentSpelling(reason) as FailureReason } : template;
  }
  if (note === undefined) return next;
  if (note.startsWith(FOLDED_INTO)) return { ...next, note: 'folded', foldedInto: note.slice(FOLDED_INTO.length) };
  if (note.startsWith(TEMPLATE_FALLBACK)) return { ...next, templateFallback: note.slice(TEMPLATE_FALLBACK.length) };
  return { ...next, note: currentSpelling(note) as NoteReason };
}
