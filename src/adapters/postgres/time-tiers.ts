import { DAY_MS, HOUR_MS } from '../analytics-store-support.js';

// A half-open span `[from, to)` of epoch ms; `from >= to` is empty.
export interface Span {
  from: number;
  to: number;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

// `[from, to)` as the whole units inside it and the two partial edges around them.
export function wholeUnits(range: Span, unit: number): { whole: Span; edges: [Span, Span] } {
  const first = ceilTo(range.from, unit);
  const last = floorTo(range.to, unit);
  if (first >= last) return { whole: { from: range.to, to: range.to }, edges: [range, { from: range.to, to: range.to }] };
  return { whole: { from: first, to: last }, edges: [{ from: range.from, to: first }, { from: last, to: range.to }] };
}

// `[from, to)` as whole UTC days, the whole hours around them and the partial hours at the edges,
// so a month reads daily rollups, at most 46 hours of hourly ones and two partial hours of facts.
export function dayHourTiers(range: Span): { days: Span; hours: [Span, Span]; edges: [Span, Span] } {
  const hours = wholeUnits(range, HOUR_MS);
  const days = wholeUnits(hours.whole, DAY_MS).whole;
  return { days, hours: [{ from: hours.whole.from, to: days.from }, { from: days.to, to: hours.whole.to }], edges: hours.edges };
}

// Whole UTC days `[from, to)` (aligned) as `user_activity` periods and the bits of the days inside
// each, as signed 64-bit decimal strings like the `days` column.
export function activityMasks(days: Span, daysPerPeriod: number): { period: number; mask: string }[] {
  if (days.from >= days.to) return [];
  const first = days.from / DAY_MS;
  const end = days.to / DAY_MS;
  const masks: { period: number; mask: string }[] = [];
  for (let period = Math.floor(first / daysPerPeriod); period * daysPerPeriod < end; period += 1) {
    const start = period * daysPerPeriod;
    const lo = Math.max(first, start) - start;
    const hi = Math.min(end, start + daysPerPeriod) - start;
    const bits = ((1n << BigInt(hi - lo)) - 1n) << BigInt(lo);
    masks.push({ period, mask: BigInt.asIntN(64, bits).toString() });
  }
  return masks;
}
