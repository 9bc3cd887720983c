// Local days and hours of an IANA time zone, from the runtime's time zone data (Intl) alone.

export const UTC = 'UTC';
export const TIME_ZONE_MESSAGE = 'tz must be an IANA time zone such as Europe/Berlin';
export type ZonedUnit = 'hour' | 'day';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// A name, never an offset like `+05:30`: PostgreSQL reads those POSIX-style, with the sign reversed.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, format);
  }
  return format;
}

/** The zone's canonical name (`UTC` for its aliases), or undefined when `name` is not an IANA time zone. */
export function timeZoneOf(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  try {
    return formatOf(name).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

export const isUtc = (zone: string | undefined): boolean => zone === undefined || timeZoneOf(zone) === UTC;

/** The local calendar date and time at an instant (month 1–12). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localTimeAt(zone: string, ms: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatOf(zone).formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** Local time minus UTC at the instant, in ms (Berlin in winter: 3,600,000; St John's in winter: −12,600,000). */
export function offsetAt(zone: string, ms: number): number {
  const t = localTimeAt(zone, ms);
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - wholeSeconds;
}

const dateKey = (t: { year: number; month: number; day: number }): number => Date.UTC(t.year, t.month - 1, t.day);

/**
 * The first instant of a local date (month 1–12, out-of-range days roll over as in Date.UTC):
 * its midnight, or the end of the gap when the clocks jumped over midnight; of two midnights, the first.
 */
export function startOfLocalDate(zone: string, year: number, month: number, day: number): number {
  const midnight = Date.UTC(year, month - 1, day);
  // The offsets in force around that midnight: the instant is midnight minus one of them.
  const offsets = new Set([offsetAt(zone, midnight - 15 * HOUR_MS), offsetAt(zone, midnight), offsetAt(zone, midnight + 15 * HOUR_MS)]);
  for (const o of [...offsets]) offsets.add(offsetAt(zone, midnight - o));
  const candidates = [...offsets].map((o) => midnight - o).filter((t) => dateKey(localTimeAt(zone, t)) >= midnight);
  return Math.min(...candidates);
}

/** The start of the local hour or day that holds the instant. */
export function startOfLocal(zone: string, unit: ZonedUnit, ms: number): number {
  if (unit === 'hour') return ms - mod(ms + offsetAt(zone, ms), HOUR_MS);
  const t = localTimeAt(zone, ms);
  const start = startOfLocalDate(zone, t.year, t.month, t.day);
  return start <= ms ? start : ms;
}

/** The start of the local hour or day after the one that starts at `start`. */
export function nextLocal(zone: string, unit: ZonedUnit, start: number): number {
  if (unit === 'hour') return startOfLocal(zone, 'hour', start + HOUR_MS);
  const t = localTimeAt(zone, start);
  // Most days are 24 hours long, the others 23 or 25: an instant where the date turns over is the next start.
  for (const hours of [24, 23, 25]) {
    const guess = start + hours * HOUR_MS;
    const at = localTimeAt(zone, guess);
    if (at.hour === 0 && at.minute === 0 && at.second === 0 && dateKey(at) === dateKey(t) + DAY_MS && dateKey(localTimeAt(zone, guess - 1)) === dateKey(t)) return guess;
  }
  const next = startOfLocalDate(zone, t.year, t.month, t.day + 1);
  // A skipped date (Samoa, 2011-12-30) has no instant of its own: go on to the one after it.
  return next > start ? next : startOfLocalDate(zone, t.year, t.month, t.day + 2);
}

/** `ms` rounded up to the start of a local hour or day. */
export function ceilLocal(zone: string, unit: ZonedUnit, ms: number): number {
  const start = startOfLocal(zone, unit, ms);
  return start === ms ? ms : nextLocal(zone, unit, start);
}

/** The starts of the local hours or days in `[from, to)`, `from` being one. */
export function localBuckets(zone: string, unit: ZonedUnit, from: number, to: number, max = Number.POSITIVE_INFINITY): number[] {
  const starts: number[] = [];
  for (let at = from; at < to && starts.length <= max; at = nextLocal(zone, unit, at)) starts.push(at);
  return starts;
}

/** True when the offset is a whole number of hours all through `[from, to)`, so local hours are UTC hours. */
export function wholeHourOffsets(zone: string, from: number, to: number): boolean {
  for (let at = from; at < to; at += DAY_MS) if (offsetAt(zone, at) % HOUR_MS !== 0) return false;
  return offsetAt(zone, Math.max(from, to - 1)) % HOUR_MS === 0;
}

/** `2026-11-25`: the local date at the instant. */
export function localDateOf(zone: string, ms: number): string {
  const t = localTimeAt(zone, ms);
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

/** `2026-11-25 13:00`: the local date and time at the instant, to the minute. */
export function localMinuteOf(zone: string, ms: number): string {
  const t = localTimeAt(zone, ms);
  return `${localDateOf(zone, ms)} ${pad(t.hour)}:${pad(t.minute)}`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const mod = (a: number, b: number): number => ((a % b) + b) % b;
