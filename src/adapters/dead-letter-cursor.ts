import type { DeadLetter } from '../domain/model/dead-letter.js';
import { ValidationError } from '../domain/model/errors.js';
import { decodeCursor, encodeCursor } from './analytics-store-support.js';

// Shared by every DeadLetterStore adapter, so a cursor means the same position in each.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeDeadLetterCursor = (letter: DeadLetter): string => encodeCursor({ lastMessageAt: letter.deadLetteredAt, id: letter.id });

export function decodeDeadLetterCursor(cursor: string): { at: number; id: string } {
  const position = decodeCursor(cursor);
  if (!UUID.test(position.id)) throw new ValidationError('cursor is not valid');
  return { at: position.at, id: position.id.toLowerCase() };
}
