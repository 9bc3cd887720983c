import { localMinuteOf, UTC } from '../../domain/model/time-zone.js';

/** `2026-11-25 12:00 UTC`, `2026-11-25 13:00 Europe/Berlin`: one unambiguous time format for every page. */
export const formatTime = (ms: number | null | undefined, timeZone: string = UTC): string =>
  ms === null || ms === undefined ? '—' : timeZone === UTC ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : `${localMinuteOf(timeZone, ms)} ${timeZone}`;

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export const formatUsd = (n: number): string => `$${n < 1 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;

export const formatMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : `${formatCount(Math.round(ms))} ms`);

/** A notice chosen by a fixed code from the query string, never text taken from it. */
const NOTICES: Record<string, string> = {
  'channel-saved': 'Channel settings saved.',
  'key-revoked': 'The API key was revoked.',
  'user-created': 'User created.',
  'user-deleted': 'User deleted; their sessions have ended.',
  'dead-letter-replayed': 'The message was published again on its topic.',
  'dead-letter-already-replayed': 'This dead letter was already replayed; nothing was published. Use “Replay again” to publish it once more.',
};

export const noticeOf = (code: string | undefined): string | undefined => (code ? NOTICES[code] : undefined);
