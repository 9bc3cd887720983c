import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import OpenAI, { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiCompletionModel, type OpenAiCompletionModelOptions } from '../../../src/adapters/openai/openai-completion-model.js';
import { DEFAULT_PRICES } from '../../../src/config/prices.js';
import { costOf } from '../../../src/domain/model/reply.js';
import { CompletionError, type CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import { createLogger } from '../../../src/observability/logger.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { OpenAiDouble, openAiError } from '../../support/openai-double.js';

const request = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
  systemPrompt: 'You are the support assistant of Acme.',
  turns: [
    { role: 'user', content: 'Hi, do you ship to Lisbon?' },
    { role: 'assistant', content: 'Yes, in 3 days.' },
    { role: 'user', content: `And to Porto? ${randomBytes(4).toString('hex')}` },
  ],
  maxTokens: 256,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<CompletionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CompletionError);
  return error as CompletionError;
}


describe('OpenAiCompletionModel', () => {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  let double: OpenAiDouble;

  beforeEach(async () => {
    double = new OpenAiDouble({ apiKey, servedModel: (requested) => `${requested}-2024-07-18` });
    await double.start();
  });
  afterEach(() => double.stop());

  // Fast backoff so the retry matrix runs in milliseconds; the waits a server asks for are still honoured.
  const modelFor = (overrides: Partial<OpenAiCompletionModelOptions> = {}) =>
    new OpenAiCompletionModel({ apiKey, baseURL: double.baseUrl, defaultModel: 'gpt-4o-mini', backoff: { initialDelayMs: 5, maxDelayMs: 20 }, ...overrides });

  describe('request and answer', () => {
    it('sends the system prompt first, then the turns, max_tokens and the default model when the request names none', async () => {
      const req = request();
      await modelFor().complete(req);

      const [sent] = await double.waitForRequests(1);
      expect(sent?.endpoint).toBe('chat.completions');
      expect(sent?.body).toEqual({
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: req.systemPrompt }, ...req.turns],
        max_tokens: 256,
      });
    });

    it('uses the model the request names when it names one', async () => {
      const completion = await modelFor().complete(request({ model: 'gpt-4.1-nano' }));

      expect((double.requests[0]?.body as { model: string }).model).toBe('gpt-4.1-nano');
      expect(completion.model).toBe('gpt-4.1-nano');
    });

    it('calls the OpenAI-compatible server at baseURL with the bearer key when a key is configured', async () => {
      await modelFor().complete(request());

      const [sent] = double.requests;
      expect(sent?.method).toBe('POST');
      expect(sent?.path).toBe('/v1/chat/completions');
      expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
      expect(sent?.headers['content-type']).toContain('application/json');
    });

    it('sends no Authorization header when the server is keyless', async () => {
      const keyless = new OpenAiDouble();
      await keyless.start();
      try {
        const completion = await new OpenAiCompletionModel({ baseURL: keyless.baseUrl, defaultModel: 'llama3.2' }).complete(request());

        expect(completion.text).toContain('And to Porto?');
        expect(keyless.requests[0]?.headers.authorization).toBeUndefined();
      } finally {
        await keyless.stop();
      }
    });

    it('returns the first choice with its usage, priced by the requested model name when the server answers a snapshot name', async () => {
      double.answerNext('We ship to Porto in 2 days.', { prompt_tokens: 1_200, completion_tokens: 300 });

      const completion = await modelFor().complete(request());

      expect(completion).toEqual({ text: 'We ship to Porto in 2 days.', model: 'gpt-4o-mini', usage: { prompt: 1_200, completion: 300 } });
      expect(costOf(completion.usage, DEFAULT_PRICES[completion.model])).toBeCloseTo((1_200 * 0.15 + 300 * 0.6) / 1_000_000, 12);
    });

    it('reports zero usage when the server sends none', async () => {
      double.answerNext('ok', null);

      const completion = await modelFor().complete(request());

      expect(completion.usage).toEqual({ prompt: 0, completion: 0 });
    });

    it.each([[''], [null], ['   ']])('rejects with a non-retryable empty-completion when the content is %j', async (content) => {
      double.answerNext(content);

      const error = await failure(modelFor().complete(request()));

      expect(error).toMatchObject({ reason: 'empty_completion', retryable: false });
      expect(double.requests).toHaveLength(1);
    });
  });

  describe('retry policy', () => {
    it.each([
      [408, 'model_unavailable'],
      [409, 'model_unavailable'],
      [429, 'model_rate_limited'],
      [500, 'model_unavailable'],
      [503, 'model_unavailable'],
    ])('attempts maxRetries + 1 times then rejects retryable when every answer is %i', async (status, reason) => {
      double.failNext(3, { status });

      const error = await failure(modelFor({ maxRetries: 2 }).complete(request()));

      expect(error).toMatchObject({ reason, retryable: true });
      expect(double.requests.map((r) => r.outcome)).toEqual(Array.from({ length: 3 }, () => ({ kind: 'failed', status })));
    });

    it('succeeds when a retry gets an answer after a 5xx', async () => {
      double.failNext(1, { status: 502, body: '<html><body>502 Bad Gateway</body></html>' });

      const completion = await modelFor().complete(request());

      expect(completion.text).toContain('And to Porto?');
      expect(double.requests).toHaveLength(2);
    });

    it.each([
      [400, 'model_rejected_400'],
      [401, 'model_auth_failed'],
      [403, 'model_auth_failed'],
      [404, 'model_rejected_404'],
      [422, 'model_rejected_422'],
    ])('attempts once and rejects non-retryable when the answer is %i', async (status, reason) => {
      double.failNext(1, { status });

      const error = await failure(modelFor({ maxRetries: 2 }).complete(request()));

      expect(error).toMatchObject({ reason, retryable: false });
      expect(double.requests).toHaveLength(1);
    });

    it('does not retry a 400 even when the server says x-should-retry: true', async () => {
      double.failNext(1, { status: 400, headers: { 'x-should-retry': 'true' } });

      const error = await failure(modelFor().complete(request()));

      expect(error.reason).toBe('model_rejected_400');
      expect(double.requests).toHaveLength(1);
    });

    it('waits at least the retry-after seconds before the next attempt', async () => {
      double.failNext(1, { status: 429, retryAfter: 2 });

      const completion = await modelFor().complete(request());

      const [first, second] = double.requests;
      expect(completion.text).toContain('And to Porto?');
      expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(2_000);
    });

    it('waits at least the retry-after-ms milliseconds, read as milliseconds, before the next attempt', async () => {
      double.failNext(1, { status: 503, retryAfterMs: 300 });

      await modelFor().complete(request());

      const [first, second] = double.requests;
      expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(300);
    });

    it('gives up at once, retryable, when the server asks for a wait over 60 s', async () => {
      double.failNext(1, { status: 429, retryAfter: 120 });

      const error = await failure(modelFor().complete(request()));

      expect(error).toMatchObject({ reason: 'model_rate_limited', retryable: true });
      expect(double.requests).toHaveLength(1);
    });

    it('rejects with model-timeout when the answer is slower than timeoutMs', async () => {
      double.slowNext(1, 1_000);

      const error = await failure(modelFor({ timeoutMs: 150, maxRetries: 0 }).complete(request()));

      expect(error).toMatchObject({ reason: 'model_timeout', retryable: true });
      expect(double.requests).toHaveLength(1);
    });

    it('retries a timed-out attempt', async () => {
      double.slowNext(1, 1_000);

      const completion = await modelFor({ timeoutMs: 150, maxRetries: 1 }).complete(request());

      expect(completion.text).toContain('And to Porto?');
      expect(double.requests).toHaveLength(2);
    });

    it('rejects with model-unreachable after maxRetries + 1 attempts when every connection is dropped', async () => {
      double.dropNext(3);

      const error = await failure(modelFor({ maxRetries: 2 }).complete(request()));

      expect(error).toMatchObject({ reason: 'model_unreachable', retryable: true });
      expect(double.requests.map((r) => r.outcome.kind)).toEqual(['dropped', 'dropped', 'dropped']);
    });

    it('stops waiting to retry as soon as the caller aborts', async () => {
      double.failNext(1, { status: 429, retryAfter: 30 });
      const controller = new AbortController();
      const call = modelFor().complete(request(), { signal: controller.signal });
      await double.waitForRequests(1);
      const abortedAt = performance.now();
      controller.abort();

      const error = await failure(call);

      expect(error).toMatchObject({ reason: 'model_call_aborted', retryable: true });
      expect(performance.now() - abortedAt).toBeLessThan(1_000);
      expect(double.requests).toHaveLength(1);
    });

    it('reports model-timeout when the caller deadline passes mid-call', async () => {
      double.slowNext(1, 2_000);

      const error = await failure(modelFor().complete(request(), { signal: AbortSignal.timeout(150) }));

      expect(error).toMatchObject({ reason: 'model_timeout', retryable: true });
    });
  });

  describe('circuit breaker', () => {
    // The open circuit's wait is timed by the injected clock: the tests move it, nothing sleeps.
    let clock: FixedClock;
    beforeEach(() => {
      clock = new FixedClock();
    });
    const breakerModel = () => modelFor({ maxRetries: 0, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 }, clock });

    it('fails fast without calling the server once open, lets one probe through after halfOpenAfterMs, and closes on its success', async () => {
      const model = breakerModel();
      double.failNext(3, { status: 503 });
      for (let i = 0; i < 3; i++) expect((await failure(model.complete(request()))).reason).toBe('model_unavailable');

      const open = await failure(model.complete(request()));
      expect(open).toMatchObject({ reason: 'model_circuit_open', retryable: true });
      expect(double.requests).toHaveLength(3);
      expect(model.circuitState).toBe('open');

      clock.advance(199);
      expect((await failure(model.complete(request()))).reason).toBe('model_circuit_open');
      expect(double.requests).toHaveLength(3);

      clock.advance(1);
      const probe = await model.complete(request());
      expect(probe.text).toContain('And to Porto?');
      expect(double.requests).toHaveLength(4);
      expect(model.circuitState).toBe('closed');

      await model.complete(request());
      await model.complete(request());
      expect(double.requests).toHaveLength(6);
    });

    it('opens again when the half-open probe fails', async () => {
      const model = breakerModel();
      double.failNext(4, { status: 500 });
      for (let i = 0; i < 3; i++) await failure(model.complete(request()));
      clock.advance(200);

      expect((await failure(model.complete(request()))).reason).toBe('model_unavailable');
      expect((await failure(model.complete(request()))).reason).toBe('model_circuit_open');
      expect(double.requests).toHaveLength(4);

      // Opened again by the failed probe: a full wait from then, not from the first opening.
      clock.advance(199);
      expect((await failure(model.complete(request()))).reason).toBe('model_circuit_open');
      clock.advance(1);
      await model.complete(request());
      expect(double.requests).toHaveLength(5);
      expect(model.circuitState).toBe('closed');
    });

    it('does not count rejected requests (4xx) towards opening', async () => {
      const model = breakerModel();
      double.failNext(6, { status: 400 });
      for (let i = 0; i < 6; i++) expect((await failure(model.complete(request()))).reason).toBe('model_rejected_400');

      await model.complete(request());

      expect(model.circuitState).toBe('closed');
      expect(double.requests).toHaveLength(7);
    });

    it('counts every attempt of a retried call, so an outage stops even a call in progress', async () => {
      const model = modelFor({ maxRetries: 5, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
      double.failNext(10, { status: 500 });

      const error = await failure(model.complete(request()));

      expect(error.reason).toBe('model_circuit_open');
      expect(double.requests).toHaveLength(2);
    });
  });

  describe('secrets', () => {
    it('keeps prompt text, vendor messages and the key out of errors and logs', async () => {
      const lines: string[] = [];
      const stream = new PassThrough();
      stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
      const model = modelFor({ maxRetries: 1, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 }, logger: createLogger({ level: 'debug', stream }) });
      const req = request();
      const echoed = `Invalid content: ${req.turns.at(-1)!.content} (key ${apiKey})`;
      double.failNext(1, { status: 400, body: openAiError(echoed, 'invalid_request_error', 'invalid_value', 'messages') });
      double.failNext(2, { status: 500, body: openAiError(echoed, 'server_error') });

      const rejected = await failure(model.complete(req));
      const unavailable = await failure(model.complete(req));

      expect(rejected.message).toMatch(/^model call failed: HTTP 400 invalid_request_error\/invalid_value \(request req_\w+\)$/);
      expect(unavailable.reason).toBe('model_unavailable');
      const logs = lines.join('');
      expect(logs).toContain('model call failed, retrying');
      expect(logs).toContain('model circuit open');
      // An open circuit is no exception, yet an Error Reporting event (the ReportedErrorEvent shape).
      const circuit = logs.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => String(line.message).startsWith('model circuit open'));
      expect(circuit).toMatchObject({
        severity: 'ERROR',
        '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
        serviceContext: { service: expect.any(String), version: expect.any(String) },
        context: { reportLocation: expect.objectContaining({ filePath: expect.stringContaining('openai-completion-model.ts') }) },
      });
      for (const text of [rejected.message, unavailable.message, logs]) {
        expect(text).not.toContain('Porto');
        expect(text).not.toContain(req.systemPrompt);
        expect(text).not.toContain(apiKey);
      }
    });
  });
});

describe('OpenAiDouble', () => {
  it('answers an SDK transcription upload (multipart) with {text} and records the file', async () => {
    const double = new OpenAiDouble();
    await double.start();
    try {
      double.transcribeNext('hola, ¿envían a Oporto?');
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: double.baseUrl, maxRetries: 0 });

      const result = await client.audio.transcriptions.create({ file: await toFile(Buffer.from('OggS fake audio'), 'voice.ogg', { type: 'audio/ogg' }), model: 'whisper-1' });

      expect(result.text).toBe('hola, ¿envían a Oporto?');
      const [sent] = double.requests;
      expect(sent?.endpoint).toBe('audio.transcriptions');
      expect(sent?.body).toEqual({ fields: { model: 'whisper-1' }, files: [{ name: 'file', filename: 'voice.ogg', contentType: 'audio/ogg', size: 15 }] });
    } finally {
      await double.stop();
    }
  });
});
