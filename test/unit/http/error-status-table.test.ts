import { PassThrough } from 'node:stream';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describe, expect, it } from 'vitest';
import { AdminEmailTakenError } from '../../../src/domain/model/admin.js';
import { DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode } from '../../../src/domain/model/errors.js';
import { CompletionError } from '../../../src/domain/ports/completion-model.js';
import { errorBody, errorResponse, STATUS_BY_CODE } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/observability/logger.js';

// Checked by `npm run typecheck`: a code added to the union without a status does not compile.
type WithANewCode = DomainErrorCode | 'a_new_code';
// @ts-expect-error 'a_new_code' is not mapped to a status
const unmapped: Record<WithANewCode, ContentfulStatusCode> = STATUS_BY_CODE;
// @ts-expect-error a code outside the union cannot be raised
const unknownCode = new DomainError('no_such_code', 'never', false);
// @ts-expect-error an HTTP error code is one of the API's snake_case codes
const kebabBody = errorBody('not-found', 'never');

function appThrowing(error: unknown) {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
  const app = new Hono();
  app.get('/boom', () => {
    throw error;
  });
  app.onError((e, c) => errorResponse(c, e, createLogger({ level: 'info', stream })));
  return { app, lines };
}

describe('STATUS_BY_CODE', () => {
  it('maps exactly the domain error codes, each to an HTTP error status', () => {
    expect(Object.keys(STATUS_BY_CODE).sort()).toEqual([...DOMAIN_ERROR_CODES].sort());
    for (const code of DOMAIN_ERROR_CODES) expect(STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
    expect([unmapped, unknownCode, kebabBody].length).toBe(3);
  });

  it('names every code in snake_case, like the API error codes', () => {
    for (const code of DOMAIN_ERROR_CODES) expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
  });

  it.each(DOMAIN_ERROR_CODES.filter((code) => STATUS_BY_CODE[code] !== 500))('answers %s with its status and its own code', async (code) => {
    const error = new DomainError(code, `a ${code} error`, false);
    const { app } = appThrowing(error);

    const res = await app.request('/boom');

    expect(res.status).toBe(STATUS_BY_CODE[code]);
    expect(await res.json()).toEqual({ error: { code, message: `a ${code} error` } });
  });

  it.each([new AdminEmailTakenError(), new CompletionError('model said no', false, { reason: 'model_rejected_400' })])(
    'answers a 500 with a generic body and logs the stack when the code is internal (%s)',
    async (error) => {
      const { app, lines } = appThrowing(error);

      const res = await app.request('/boom');

      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', message: expect.stringMatching(/^unexpected error \w+Error: .*\n {4}at /), errorCode: error.code }));
    },
  );
});
