import { describe, expect, it } from 'vitest';
import {
  ceilLocal,
  isUtc,
  localBuckets,
  localDateOf,
  localMinuteOf,
  nextLocal,
  offsetAt,
  startOfLocal,
  startOfLocalDate,
  timeZoneOf,
  wholeHourOffsets,
} from '../../../src/domain/model/time-zone.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const utc = (iso: string): number => Date.parse(iso);

describe('timeZoneOf', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['America/St_Johns', 'America/St_Johns'],
    ['UTC', 'UTC'],
    ['Etc/UTC', 'UTC'],
  ])('accepts %s as %s', (name, canonical) => {
    expect(timeZoneOf(name)).toBe(canonical);
  });

  it('accepts Asia/Kolkata under either of its names', () => {
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(timeZoneOf('Asia/Kolkata'));
  });

  it.each(['Mars/Olympus', '', '+05:30', '-03:00', 'Europe/Berlin; drop table x', 'a'.repeat(80)])('refuses %j', (name) => {
    expect(timeZoneOf(name)).toBeUndefined();
  });

  it('tells UTC and its aliases from other zones', () => {
    expect([isUtc(undefined), isUtc('UTC'), isUtc('Etc/UTC'), isUtc('Europe/London'), isUtc('Asia/Kolkata')]).toEqual([true, true, true, false, false]);
  });
});

describe('offsetAt', () => {
  it('answers the offset in force at the instant, either side of a change', () => {
    expect(offsetAt('Europe/Berlin', utc('2026-03-29T00:59:59Z'))).toBe(HOUR);
    expect(offsetAt('Europe/Berlin', utc('2026-03-29T01:00:00Z'))).toBe(2 * HOUR);
    expect(offsetAt('Europe/Berlin', utc('2026-10-25T00:59:59.999Z'))).toBe(2 * HOUR);
    expect(offsetAt('Europe/Berlin', utc('2026-10-25T01:00:00Z'))).toBe(HOUR);
    expect(offsetAt('Asia/Kolkata', utc('2026-06-01T12:34:56.789Z'))).toBe(5.5 * HOUR);
    expect(offsetAt('America/St_Johns', utc('2026-01-15T00:00:00Z'))).toBe(-3.5 * HOUR);
    expect(offsetAt('America/St_Johns', utc('2026-07-15T00:00:00Z'))).toBe(-2.5 * HOUR);
    expect(offsetAt('UTC', utc('2026-07-15T00:00:00Z'))).toBe(0);
  });
});

describe('local days', () => {
  it('answers a 23-hour day when the clocks go forward in Berlin (2026-03-29)', () => {
    const start = startOfLocal('Europe/Berlin', 'day', utc('2026-03-29T12:00:00Z'));
    expect(start).toBe(utc('2026-03-28T23:00:00Z'));
    expect(nextLocal('Europe/Berlin', 'day', start)).toBe(utc('2026-03-29T22:00:00Z'));
  });

  it('answers a 25-hour day when the clocks go back in Berlin (2026-10-25)', () => {
    const start = startOfLocal('Europe/Berlin', 'day', utc('2026-10-25T05:00:00Z'));
    expect(start).toBe(utc('2026-10-24T22:00:00Z'));
    expect(nextLocal('Europe/Berlin', 'day', start) - start).toBe(25 * HOUR);
    expect(localBuckets('Europe/Berlin', 'day', utc('2026-10-23T22:00:00Z'), utc('2026-10-26T23:00:00Z'))).toEqual([
      utc('2026-10-23T22:00:00Z'),
      utc('2026-10-24T22:00:00Z'),
      utc('2026-10-25T23:00:00Z'),
    ]);
  });

  it('puts the last millisecond before local midnight in the previous day', () => {
    expect(startOfLocal('Europe/Berlin', 'day', utc('2026-10-25T22:59:59.999Z'))).toBe(utc('2026-10-24T22:00:00Z'));
    expect(startOfLocal('Europe/Berlin', 'day', utc('2026-10-25T23:00:00Z'))).toBe(utc('2026-10-25T23:00:00Z'));
  });

  it('starts days at the local midnight of half-hour zones', () => {
    expect(startOfLocal('Asia/Kolkata', 'day', utc('2026-06-01T18:29:59Z'))).toBe(utc('2026-05-31T18:30:00Z'));
    expect(startOfLocal('Asia/Kolkata', 'day', utc('2026-06-01T18:30:00Z'))).toBe(utc('2026-06-01T18:30:00Z'));
    expect(startOfLocal('America/St_Johns', 'day', utc('2026-01-15T02:00:00Z'))).toBe(utc('2026-01-14T03:30:00Z'));
    expect(startOfLocalDate('America/St_Johns', 2026, 7, 15)).toBe(utc('2026-07-15T02:30:00Z'));
  });

  it('starts a day at the end of the gap when the clocks jump over midnight (Santiago, 2026-09-06)', () => {
    const start = startOfLocalDate('America/Santiago', 2026, 9, 6);
    expect(localMinuteOf('America/Santiago', start)).toBe('2026-09-06 01:00');
    expect(localDateOf('America/Santiago', start - 1)).toBe('2026-09-05');
  });

  it('answers UTC days in UTC', () => {
    expect(startOfLocal('UTC', 'day', utc('2026-06-01T23:59:59Z'))).toBe(utc('2026-06-01T00:00:00Z'));
    expect(localBuckets('UTC', 'day', utc('2026-06-01T00:00:00Z'), utc('2026-06-04T00:00:00Z'))).toHaveLength(3);
  });
});

describe('local hours', () => {
  it('counts 25 local hours in the Berlin day the clocks go back, each an hour long', () => {
    const hours = localBuckets('Europe/Berlin', 'hour', utc('2026-10-24T22:00:00Z'), utc('2026-10-25T23:00:00Z'));
    expect(hours).toHaveLength(25);
    expect(new Set(hours.slice(1).map((h, i) => h - hours[i]!))).toEqual(new Set([HOUR]));
  });

  it('starts hours on the half hour (UTC) in Kolkata and St John\'s', () => {
    expect(startOfLocal('Asia/Kolkata', 'hour', utc('2026-06-01T10:29:00Z'))).toBe(utc('2026-06-01T09:30:00Z'));
    expect(startOfLocal('America/St_Johns', 'hour', utc('2026-01-15T10:31:00Z'))).toBe(utc('2026-01-15T10:30:00Z'));
    expect(ceilLocal('Asia/Kolkata', 'hour', utc('2026-06-01T10:29:00Z'))).toBe(utc('2026-06-01T10:30:00Z'));
    expect(ceilLocal('Asia/Kolkata', 'hour', utc('2026-06-01T10:30:00Z'))).toBe(utc('2026-06-01T10:30:00Z'));
  });
});

describe('wholeHourOffsets', () => {
  it('is true for Berlin across its changes and for UTC, false for Kolkata and St John\'s', () => {
    const [from, to] = [utc('2026-01-01T00:00:00Z'), utc('2026-12-31T00:00:00Z')];
    expect(wholeHourOffsets('Europe/Berlin', from, to)).toBe(true);
    expect(wholeHourOffsets('UTC', from, to)).toBe(true);
    expect(wholeHourOffsets('Asia/Kolkata', from, from + 2 * HOUR)).toBe(false);
    expect(wholeHourOffsets('America/St_Johns', from, to)).toBe(false);
  });
});

describe('formatting', () => {
  it('writes the local date and minute', () => {
    expect(localDateOf('Europe/Berlin', utc('2026-10-24T22:00:00Z'))).toBe('2026-10-25');
    expect(localMinuteOf('Asia/Kolkata', utc('2026-06-01T10:29:00Z') + 30 * MINUTE)).toBe('2026-06-01 16:29');
  });
});
