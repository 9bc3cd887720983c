import type { GraphFailureReason } from '../../domain/model/reasons.js';
import { OUTSIDE_SERVICE_WINDOW as WINDOW_REASON } from '../../domain/ports/reply-channel.js';

// What to do with a Graph API error code (PROTOCOLS.md): back off and retry, retry later, or give up.
const RETRY_WITH_BACKOFF = new Set([130429, 131056, 4, 80007]);
const RETRY_LATER = new Set([131000, 131016, 1, 2, 131057]);

export const TOKEN_EXPIRED = 190;
export const OUTSIDE_SERVICE_WINDOW = 131047;

/** Failures a customer's phone or Meta's policy causes, by name: how the analytics team reads them. */
const NAMED: ReadonlyMap<number, GraphFailureReason> = new Map([
  [131026, 'whatsapp_undeliverable'], // not on WhatsApp, an old app version, or the terms not accepted
  [131049, 'whatsapp_marketing_limit'], // Meta's per-user limit on marketing messages
  [131050, 'whatsapp_marketing_opt_out'], // the user stopped marketing messages
  [130472, 'whatsapp_experiment'], // the user's number is part of one of Meta's experiments
]);

/** Graph error codes are non-negative integers; anything else (a broken or hostile body) names no code. */
export const isGraphCode = (code: number | undefined): code is number => code !== undefined && Number.isSafeInteger(code) && code >= 0;

export function classifyGraphError(httpStatus: number, code: number | undefined): { retryable: boolean; reason: GraphFailureReason } {
  if (isGraphCode(code)) {
    if (RETRY_WITH_BACKOFF.has(code)) return { retryable: true, reason: `whatsapp_rate_limited_${code}` };
    if (RETRY_LATER.has(code)) return { retryable: true, reason: `whatsapp_unavailable_${code}` };
    if (code === TOKEN_EXPIRED) return { retryable: false, reason: 'whatsapp_token_expired' };
    if (code === OUTSIDE_SERVICE_WINDOW) return { retryable: false, reason: WINDOW_REASON };
    const named = NAMED.get(code);
    if (named) return { retryable: false, reason: named };
    return { retryable: false, reason: `whatsapp_error_${code}` };
  }
  const retryable = httpStatus === 429 || httpStatus >= 500;
  return { retryable, reason: `whatsapp_http_${httpStatus}` };
}
