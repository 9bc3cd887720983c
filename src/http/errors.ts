import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/model/errors.js';
import { errorFields, type Logger } from '../observability/logger.js';

/** One table from stable error codes to HTTP statuses; anything unknown is a 500. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  validation_failed: 400,
  conversation_not_found: 404,
  publish_failed: 503,
  message_in_progress: 503,
};

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

const CODE_BY_HTTP_STATUS: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type' };

export function errorResponse(c: Context, error: unknown, logger: Logger) {
  // Hono's own 4xx (a body that is not the declared media type, malformed JSON): the client's fault.
  if (error instanceof HTTPException && error.status < 500) {
    const message = error.status === 415 ? 'the body must be application/json' : error.message || 'the request is malformed';
    return c.json(errorBody(CODE_BY_HTTP_STATUS[error.status] ?? 'bad_request', message), error.status);
  }
  if (error instanceof DomainError && STATUS_BY_CODE[error.code]) {
    const status = STATUS_BY_CODE[error.code]!;
    if (status >= 500) logger.warn('request failed', { path: c.req.path, ...errorFields(error) });
    return c.json(errorBody(error.code, error.message), status);
  }
  logger.error('unexpected error', { path: c.req.path, ...errorFields(error) });
  return c.json(errorBody('internal', 'internal error'), 500);
}
