import { localMinuteOf, UTC } from '../../domain/model/time-zone.js';

/** `2026-11-25 12:00 UTC`, `2026-11-25 13:00 Europe/Berlin`: one unambiguous time format for every page. */
export const formatTime = (ms: number | null | undefined, timeZone: string = UTC): string =>
  ms === null || ms === undefined ? '—' : timeZone === UTC ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : `${localMinuteOf(timeZone, ms)} ${timeZone}`;

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export const formatUsd = (n: number): string => `$${n < 1 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;

export const formatMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : `${formatCount(Math.round(ms))} ms`);

/** How long something has lasted, roughly: `under a minute`, `12 min`, `3 h 5 min`, `4 days`. */
export function formatWaited(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** A notice chosen by a fixed code from the query string, never text taken from it. */
const NOTICES: Record<string, string> = {
  'channel-saved': 'Channel settings saved.',
  'key-revoked': 'The API key was revoked.',
  'user-created': 'User created.',
  'user-deleted': 'User deleted; their sessions have ended.',
  'dead-letter-replayed': 'The message was published again on its topic.',
  'taken-over': 'You took this conversation over: the bot no longer answers it.',
  'handed-back': 'The bot answers this conversation again.',
  'reply-queued': 'Your reply is on its way.',
  'dead-letter-already-replayed': 'This dead letter was already replayed; nothing was published. Use “Replay again” to publish it once more.',
};

export const noticeOf = (code: string | undefined): string | undefined => (code ? NOTICES[code] : undefined);
