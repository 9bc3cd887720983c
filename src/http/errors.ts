import type { Context } from 'hono';
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

export function errorResponse(c: Context, error: unknown, logger: Logger) {
  if (error instanceof DomainError && STATUS_BY_CODE[error.code]) {
    const status = STATUS_BY_CODE[error.code]!;
    if (status >= 500) logger.warn('request failed', { path: c.req.path, ...errorFields(error) });
    return c.json(errorBody(error.code, error.message), status);
  }
  logger.error('unexpected error', { path: c.req.path, ...errorFields(error) });
  return c.json(errorBody('internal', 'internal error'), 500);
}
