import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { GoogleAuth } from 'google-auth-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VERTEX_SCOPE, VertexCompletionModel } from '../../src/adapters/vertex/vertex-completion-model.js';
import { CompletionError } from '../../src/domain/ports/completion-model.js';
import { GoogleTokenDouble } from '../support/google-token-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { completionModelContract } from './completion-model.contract.js';

/** Vertex AI's OpenAI-compatible endpoint served by the OpenAI double, which takes only current tokens from the token double. */
async function vertexRig(options: { location?: string; maxRetries?: number } = {}) {
  const project = `demo-${randomBytes(4).toString('hex')}`;
  const location = options.location ?? 'europe-west1';
  const tokens = new GoogleTokenDouble();
  await tokens.start();
  const keyFile = await tokens.writeKeyFile(project);
  const apiPath = `/v1/projects/${project}/locations/${location}/endpoints/openapi`;
  const double = new OpenAiDouble({ apiPath, acceptsToken: (token) => tokens.isCurrent(token) });
  await double.start();
  // Application Default Credentials from the key file, as GOOGLE_APPLICATION_CREDENTIALS gives them locally.
  vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', keyFile);
  const auth = new GoogleAuth({ scopes: [VERTEX_SCOPE], clientOptions: { transporterOptions: { fetchImplementation: tokens.fetch } } });
  const model = new VertexCompletionModel({ project, location, apiEndpoint: double.origin, tokens: auth, defaultModel: 'google/gemini-2.5-flash', maxRetries: options.maxRetries ?? 0 });
  return {
    project,
    location,
    apiPath,
    tokens,
    double,
    model,
    cleanup: async () => {
      vi.unstubAllEnvs();
      await Promise.all([double.stop(), tokens.stop(), rm(keyFile, { force: true })]);
    },
  };
}

const ask = (content = `Do you open on Sundays? ${randomBytes(3).toString('hex')}`) => ({ systemPrompt: 'You are the assistant of Acme.', turns: [{ role: 'user' as const, content }], maxTokens: 64 });

completionModelContract('VertexCompletionModel (the OpenAI double behind Vertex AI paths and Google tokens)', async () => {
  const rig = await vertexRig();
  return {
    model: rig.model,
    lastPrompt: () => (rig.double.chatRequests.at(-1)?.body as { messages: { role: string; content: string }[] }).messages,
    failNextTransiently: () => rig.double.failNext(1, { status: 503 }),
    refuseNext: () => rig.double.failNext(1, { status: 400 }),
    slowNext: () => rig.double.slowNext(1, 10_000),
    cleanup: rig.cleanup,
  };
});

describe('VertexCompletionModel', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await cleanup?.();
    cleanup = undefined;
  });

  it('calls the project and location chat completions path with a bearer token from the service account', async () => {
    const rig = await vertexRig({ location: 'europe-west1' });
    cleanup = rig.cleanup;
    const completion = await rig.model.complete(ask('Hello Gemini'));

    const [request] = rig.double.chatRequests;
    expect(request?.path).toBe(`/v1/projects/${rig.project}/locations/europe-west1/endpoints/openapi/chat/completions`);
    expect(request?.headers.authorization).toBe(`Bearer ${rig.tokens.issued[0]?.token}`);
    expect(request?.body).toMatchObject({ model: 'google/gemini-2.5-flash', max_tokens: 64 });
    expect(completion).toMatchObject({ text: 'Hello Gemini', model: 'google/gemini-2.5-flash' });
  });

  it('reuses one token for several completions while it is valid', async () => {
    const rig = await vertexRig();
    cleanup = rig.cleanup;
    for (let i = 0; i < 3; i++) await rig.model.complete(ask());
    await Promise.all([rig.model.complete(ask()), rig.model.complete(ask())]);

    expect(rig.tokens.requests).toBe(1);
    expect(new Set(rig.double.chatRequests.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${rig.tokens.issued[0]?.token}`]));
  });

  it('fetches a new token before the old one expires and uses it', async () => {
    const rig = await vertexRig();
    cleanup = rig.cleanup;
    rig.tokens.expiresInS = 600;
    await rig.model.complete(ask());
    // Only Date moves: the SDK's and the servers' timers keep real time.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    vi.setSystemTime(Date.now() + 2 * 60_000);
    await rig.model.complete(ask());
    expect(rig.tokens.requests).toBe(1);

    // Within google-auth-library's 5-minute margin of expiry: replaced before the next call.
    vi.setSystemTime(Date.now() + 4 * 60_000);
    await rig.model.complete(ask());
    // Past the first token's expiry (the double would refuse it), the second one is still used.
    vi.setSystemTime(Date.now() + 4.5 * 60_000);
    await rig.model.complete(ask());

    expect(rig.tokens.requests).toBe(2);
    const used = rig.double.chatRequests.map((r) => r.headers.authorization);
    const [first, second] = rig.tokens.issued;
    expect(used).toEqual([`Bearer ${first?.token}`, `Bearer ${first?.token}`, `Bearer ${second?.token}`, `Bearer ${second?.token}`]);
    expect(rig.double.chatRequests.every((r) => r.outcome.kind === 'answered')).toBe(true);
  });

  it('fails without retrying, reason model_auth_failed, when the token endpoint refuses the credentials', async () => {
    const rig = await vertexRig({ maxRetries: 2 });
    cleanup = rig.cleanup;
    rig.tokens.failNext(1, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });

    const error = await rig.model.complete(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompletionError);
    expect(error).toMatchObject({ reason: 'model_auth_failed', retryable: false });
    expect((error as Error).message).toBe('Google access token refused: HTTP 400 invalid_grant');
    expect(rig.double.chatRequests).toHaveLength(0);
  });

  it('fails retryably, reason model_auth_failed, when the token endpoint is unreachable', async () => {
    const rig = await vertexRig();
    cleanup = rig.cleanup;
    await rig.tokens.stop();

    const error = await rig.model.complete(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompletionError);
    expect(error).toMatchObject({ reason: 'model_auth_failed', retryable: true });
    expect(rig.double.chatRequests).toHaveLength(0);
  });

  it('answers model_auth_failed, not retryable, when Vertex AI refuses the token', async () => {
    const rig = await vertexRig();
    cleanup = rig.cleanup;
    rig.double.failNext(1, { status: 403, body: { error: { code: 403, message: 'Permission denied', status: 'PERMISSION_DENIED' } } });

    await expect(rig.model.complete(ask())).rejects.toMatchObject({ reason: 'model_auth_failed', retryable: false });
  });

  it('uses the global endpoint host for location global', async () => {
    const { vertexBaseUrl } = await import('../../src/adapters/vertex/vertex-completion-model.js');
    expect(vertexBaseUrl('p1', 'global')).toBe('https://aiplatform.googleapis.com/v1/projects/p1/locations/global/endpoints/openapi');
    expect(vertexBaseUrl('p1', 'europe-west1')).toBe('https://europe-west1-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west1/endpoints/openapi');
  });
});
