import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type DomainErrorCode } from '../domain/model/errors.js';
import { errorFields, type Logger } from '../observability/logger.js';

/**
 * One table from every domain error code to its HTTP status: a code added to the union does not
 * compile until it is mapped here. 500 means internal: the client gets a generic body and the
 * stack is logged (a store, model or channel failure says nothing a client can act on).
 */
export const STATUS_BY_CODE = {
  validation_failed: 400,
  conversation_not_found: 404,
  admin_email_taken: 500,
  publish_failed: 503,
  message_in_progress: 503,
  lease_exhausted: 500,
  secrets_unreadable: 500,
  chat_store_unavailable: 500,
  chat_store_rejected: 500,
  completion_failed: 500,
  reply_send_failed: 500,
  media_download_failed: 500,
  transcription_failed: 500,
  conversation_not_taken_over: 409,
  outside_service_window: 409,
  no_window_template: 409,
  idempotency_key_reused: 409,
} as const satisfies Record<DomainErrorCode, ContentfulStatusCode>;

export const statusOf = (code: DomainErrorCode): ContentfulStatusCode => STATUS_BY_CODE[code];

/** Every `error.code` an HTTP answer carries (CONTRACT.md's `{"error":{"code","message"}}`): snake_case, closed. */
export type ApiErrorCode =
  | DomainErrorCode
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal'
  | 'channel_not_configured'
  | 'invalid_signature'
  | 'invalid_notification'
  | 'invalid_envelope'
  | 'auth_unavailable'
  | 'retry';

export function errorBody(code: ApiErrorCode, message: string) {
  return { error: { code, message } };
}

const CODE_BY_HTTP_STATUS: Partial<Record<number, ApiErrorCode>> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type' };

export function errorResponse(c: Context, error: unknown, logger: Logger) {
  // Hono's own 4xx (a body that is not the declared media type, malformed JSON): the client's fault.
  if (error instanceof HTTPException && error.status < 500) {
    const message = error.status === 415 ? 'the body must be application/json' : error.message || 'the request is malformed';
    return c.json(errorBody(CODE_BY_HTTP_STATUS[error.status] ?? 'bad_request', message), error.status);
  }
  const { status, body } = errorAnswer(error, c.req.path, logger);
  return c.json(body, status);
}

/**
 * The answer to an error that is not Hono's own: a domain error with its own status answers with
 * its code and message; anything else is logged with its stack and answers a generic 500.
 */
export function errorAnswer(error: unknown, path: string, logger: Logger): { status: ContentfulStatusCode; body: ReturnType<typeof errorBody> } {
  if (error instanceof DomainError && statusOf(error.code) !== 500) {
    const status = statusOf(error.code);
    if (status >= 500) logger.warn('request failed', { path, ...errorFields(error) });
    return { status, body: errorBody(error.code, error.message) };
  }
  logger.error('unexpected error', { path, ...errorFields(error) });
  return { status: 500, body: errorBody('internal', 'internal error') };
}
