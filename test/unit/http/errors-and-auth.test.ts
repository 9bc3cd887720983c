import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ConversationNotFoundError } from '../../../src/domain/use-cases/get-transcript.js';
import { MessageInProgressError, PublishError, ValidationError } from '../../../src/domain/model/errors.js';
import { HashedApiKeyVerifier, hashApiKey } from '../../../src/http/auth/api-keys.js';
import { requireScope } from '../../../src/http/auth/bearer.js';
import { errorResponse } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/observability/logger.js';

function appThrowing(error: unknown) {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
  const logger = createLogger({ level: 'info', stream });
  const app = new Hono();
  app.get('/boom', () => {
    throw error;
  });
  app.onError((e, c) => errorResponse(c, e, logger));
  return { app, lines };
}

describe('errorResponse', () => {
  it.each([
    [new ValidationError('limit must be positive'), 400, 'validation_failed'],
    [new ConversationNotFoundError('c_1'), 404, 'conversation_not_found'],
    [new PublishError('bus down'), 503, 'publish_failed'],
    [new MessageInProgressError('m-1'), 503, 'message_in_progress'],
  ])('maps %s to its status and stable code', async (error, status, code) => {
    const { app } = appThrowing(error);

    const res = await app.request('/boom');

    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { code, message: error.message } });
  });

  it('answers 500 with a generic body and logs the stack when the error is unknown', async () => {
    const { app, lines } = appThrowing(new TypeError('secret internals at /srv/app.js'));

    const res = await app.request('/boom');

    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(text).not.toContain('secret internals');
    // The stack follows the message of the error entry, where Error Reporting reads it.
    expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', message: expect.stringMatching(/^unexpected error TypeError: secret internals at \/srv\/app\.js\n {4}at /) }));
  });
});

describe('requireScope', () => {
  const key = 'a-perfectly-good-api-key-0123';
  const verifier = new HashedApiKeyVerifier([
    { keyId: 'reader', hash: hashApiKey(key), scopes: ['analytics:read'] },
    { keyId: 'admin', hash: hashApiKey(`${key}-admin`), scopes: ['admin'] },
  ]);
  const app = new Hono();
  app.get('/read', requireScope(verifier, 'analytics:read'), (c) => c.json({ keyId: (c.var as { principal: { keyId: string } }).principal.keyId }));

  it.each([
    ['Bearer', `Bearer ${key}`],
    ['lower-case bearer', `bearer ${key}`],
    ['extra spaces', `Bearer    ${key}  `],
  ])('lets the request through with its principal when the key is presented with %s', async (_, authorization) => {
    const res = await app.request('/read', { headers: { authorization } });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keyId: 'reader' });
  });

  it.each([
    ['no header', undefined],
    ['an unknown key', 'Bearer not-the-key'],
    ['the key without a scheme', key],
    ['two tokens', `Bearer ${key} ${key}`],
  ])('answers 401 with a WWW-Authenticate challenge when given %s', async (_, authorization) => {
    const res = await app.request('/read', authorization === undefined ? {} : { headers: { authorization } });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 403 when the key lacks the scope', async () => {
    const res = await app.request('/read', { headers: { authorization: `Bearer ${key}-admin` } });

    expect(res.status).toBe(403);
  });

  it('stores only the SHA-256 of a key when hashing it', () => {
    expect(hashApiKey(key).equals(createHash('sha256').update(key).digest())).toBe(true);
  });
});
