import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { normalizeEmail } from '../../domain/model/admin.js';
import type { ThrottleKey, ThrottlePolicy } from '../../domain/model/login-throttle.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * Growing delays, never a lockout. The pair (this account from this address) is the tight limit a
 * guesser meets; the address alone limits spraying many accounts; the account alone limits
 * guessing from many addresses, with a short ceiling so the real admin waits a minute at most.
 */
export const LOGIN_POLICIES = {
  pair: { freeAttempts: 5, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE },
  address: { freeAttempts: 20, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE },
  account: { freeAttempts: 20, baseDelayMs: SECOND, maxDelayMs: MINUTE },
} as const satisfies Record<string, ThrottlePolicy>;

const digest = (kind: string, value: string) => createHash('sha256').update(`admin-login\u0000${kind}\u0000${value}`, 'utf8').digest('hex');

export interface LoginSubjects {
  keys: ThrottleKey[];
  /** Forgotten after a successful sign-in (the address is not: a valid account must not reset it for others). */
  clearedOnSuccess: string[];
}

/** The hashed subjects a sign-in attempt counts against (e-mails and addresses are never stored raw). */
export function loginSubjects(email: string, address: string): LoginSubjects {
  const account = digest('email', normalizeEmail(email));
  const pair = digest('pair', `${normalizeEmail(email)}\u0000${address}`);
  const from = digest('address', address);
  return {
    keys: [
      { subject: pair, policy: LOGIN_POLICIES.pair },
      { subject: from, policy: LOGIN_POLICIES.address },
      { subject: account, policy: LOGIN_POLICIES.account },
    ],
    clearedOnSuccess: [pair, account],
  };
}

/** The last `X-Forwarded-For` entry (appended by Cloud Run's front end), else the socket's peer. */
export function defaultClientAddress(c: Context): string | undefined {
  const forwarded = c.req.header('x-forwarded-for')?.split(',').map((part) => part.trim()).filter(Boolean).at(-1);
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by @hono/node-server (in-process requests in tests)
  }
}
