import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { timeZoneOf, UTC } from '../../domain/model/time-zone.js';
import type { AdminDeps } from './deps.js';

/** The zones the overview offers; a zone given in `?tz=` outside the list is offered too. */
export const TIME_ZONES = [
  UTC,
  'Europe/London',
  'Europe/Berlin',
  'Europe/Istanbul',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/St_Johns',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Mexico_City',
  'America/Los_Angeles',
] as const;

const YEAR_MS = 365 * 24 * 3600_000;
const cookieName = (deps: AdminDeps) => (deps.secureCookies !== false ? '__Host-vocoeng_tz' : 'vocoeng_tz');

// The list's spelling of a zone (`europe/berlin` is Europe/Berlin, Asia/Kolkata is not Asia/Calcutta), else the runtime's.
function spellingOf(name: string): string | undefined {
  const zone = timeZoneOf(name);
  if (zone === undefined) return undefined;
  return TIME_ZONES.find((listed) => listed.toLowerCase() === name.toLowerCase() || timeZoneOf(listed) === zone) ?? zone;
}

/**
 * The zone the dashboard shows days and times in: `?tz=` (then remembered in a cookie for the other
 * pages), else the remembered one, else UTC. A zone that is not one (a typo, an edited link) is UTC.
 */
export function timeZoneChoice(c: Context, deps: AdminDeps): string {
  const asked = c.req.query('tz');
  if (asked === undefined) return spellingOf(getCookie(c, cookieName(deps)) ?? UTC) ?? UTC;
  const zone = spellingOf(asked);
  if (zone === undefined) return UTC;
  setCookie(c, cookieName(deps), zone, { httpOnly: true, secure: deps.secureCookies !== false, sameSite: 'Strict', path: '/', maxAge: Math.floor(YEAR_MS / 1000) });
  return zone;
}
