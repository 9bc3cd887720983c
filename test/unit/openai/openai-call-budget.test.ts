import { randomBytes, randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiCompletionModel, type OpenAiCompletionModelOptions } from '../../../src/adapters/openai/openai-completion-model.js';
import { OpenAiTranscriber } from '../../../src/adapters/openai/openai-transcriber.js';
import { WhatsAppMediaDownloader } from '../../../src/adapters/whatsapp/whatsapp-media.js';
import { DomainError } from '../../../src/domain/model/errors.js';
import type { CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble } from '../../support/graph-api-double.js';
import { OpenAiDouble } from '../../support/openai-double.js';

const request = (): CompletionRequest => ({
  systemPrompt: 'You are the support assistant of Acme.',
  turns: [{ role: 'user', content: `Do you ship to Porto? ${randomBytes(4).toString('hex')}` }],
  maxTokens: 64,
});

async function timed(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return { error, ms: performance.now() - started };
}

// The caller (the reply's lease) gives each call what remains of its time: `timeoutMs` bounds the
// whole call, retries and their waits included, whatever the per-attempt limit.
describe('OpenAI adapters within the caller\'s budget', () => {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  let openai: OpenAiDouble;
  let graph: GraphApiDouble;

  beforeEach(async () => {
    openai = new OpenAiDouble({ apiKey });
    graph = new GraphApiDouble();
    await Promise.all([openai.start(), graph.start()]);
  });
  afterEach(() => Promise.all([openai.stop(), graph.stop()]));

  const modelFor = (overrides: Partial<OpenAiCompletionModelOptions> = {}) =>
    new OpenAiCompletionModel({ apiKey, baseURL: openai.baseUrl, defaultModel: 'gpt-4o-mini', timeoutMs: 5_000, maxRetries: 3, ...overrides });

  it('ends a slow model call with model-timeout when the caller\'s timeoutMs is spent, long before the per-attempt limit', async () => {
    openai.slowNext(5, 1_500);

    const { error, ms } = await timed(modelFor().complete(request(), { timeoutMs: 300 }));

    expect(error).toMatchObject({ reason: 'model_timeout', retryable: true });
    expect(ms).toBeLessThan(1_000);
    expect(openai.chatRequests).toHaveLength(1);
  });

  it('starts no retry whose wait the caller\'s budget cannot hold', async () => {
    openai.failNext(1, { status: 429, retryAfter: 2 });

    const { error, ms } = await timed(modelFor().complete(request(), { timeoutMs: 500 }));

    expect(error).toMatchObject({ reason: 'model_rate_limited', retryable: true });
    expect(ms).toBeLessThan(400);
    expect(openai.chatRequests).toHaveLength(1);
  });

  it('limits the whole call to callTimeoutMs, retries included, when the caller gives more', async () => {
    openai.slowNext(5, 400);

    const { error, ms } = await timed(modelFor({ timeoutMs: 250, callTimeoutMs: 600 }).complete(request(), { timeoutMs: 10_000 }));

    expect(error).toMatchObject({ reason: 'model_timeout', retryable: true });
    expect(ms).toBeLessThan(900);
    expect(openai.chatRequests.length).toBeLessThanOrEqual(3);
  });

  it('ends a slow transcription when the caller\'s timeoutMs is spent, long before its own limit', async () => {
    const mediaId = String(randomInt(100_000_000_000, 999_999_999_999));
    graph.addMedia(mediaId, new Uint8Array(randomBytes(2_000)), 'audio/ogg');
    openai.slowNext(1, 1_500);
    const transcriber = new OpenAiTranscriber({
      media: new WhatsAppMediaDownloader({ baseUrl: graph.baseUrl, apiVersion: 'v23.0', accessToken: graph.accessToken }),
      apiKey,
      baseURL: openai.baseUrl,
      timeoutMs: 10_000,
    });

    const { error, ms } = await timed(transcriber.transcribe(aMessage({ content: { type: 'audio', voice: true, mediaId, mimeType: 'audio/ogg' } }), { timeoutMs: 300 }));

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ reason: 'transcription_unavailable', retryable: true });
    expect(ms).toBeLessThan(1_000);
  });
});
