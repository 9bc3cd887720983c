import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildRole } from '../../src/composition/role.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { TEST_APP_SECRET, TEST_VERIFY_TOKEN } from '../support/role-harness.js';

const silent = () => createLogger({ level: 'error', stream: new PassThrough() });

// Building a role opens no connection: these check which adapters the configuration selects.
describe('buildRole', () => {
  it('binds only the bus for ROLE=listener with a PROJECT_ID: Pub/Sub, and no chat store, model or push authentication', async () => {
    const runtime = await buildRole(loadConfig({ ROLE: 'listener', PROJECT_ID: 'demo-project', WHATSAPP_APP_SECRET: TEST_APP_SECRET, WHATSAPP_VERIFY_TOKEN: TEST_VERIFY_TOKEN }), { logger: silent() });

    expect(runtime.adapters).toEqual({ messageBus: 'PubSubMessageBus', clock: 'SystemClock' });
    await runtime.stop();
  });

  it.each([
    ['worker', { AI_PROVIDER: 'scripted', PUSH_AUTH: 'none' }, 'AllowAllPushAuthenticator'],
    ['api', { PUSH_AUTH: 'none' }, 'AllowAllPushAuthenticator'],
  ])('selects Pub/Sub and Firestore when ROLE=%s has a PROJECT_ID', async (role, extra, pushAuth) => {
    const runtime = await buildRole(loadConfig({ ROLE: role, PROJECT_ID: 'demo-project', ...extra }), { logger: silent() });

    expect(runtime.adapters).toMatchObject({ messageBus: 'PubSubMessageBus', chatStore: 'FirestoreChatStore', pushAuth });
    await runtime.stop();
  });

  it('verifies push tokens when PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT are set', async () => {
    const runtime = await buildRole(
      loadConfig({ ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', PUSH_AUDIENCE: 'https://worker.example', PUSH_SERVICE_ACCOUNT: 'pusher@demo-project.iam.gserviceaccount.com' }),
      { logger: silent() },
    );

    expect(runtime.adapters.pushAuth).toBe('GoogleOidcPushAuthenticator');
    await runtime.stop();
  });

  it('names the pull consumer and how many messages it handles at once when WORKER_MODE=pull', async () => {
    const env = { ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', WORKER_MODE: 'pull', PUBSUB_SUBSCRIPTION: 'vocoeng-inbound-worker' };
    const runtime = await buildRole(loadConfig(env), { logger: silent() });
    const wider = await buildRole(loadConfig({ ...env, PULL_MAX_CONCURRENT: '40' }), { logger: silent() });

    expect(runtime.adapters.workerIngress).toBe('PubSubPullConsumer(vocoeng-inbound-worker, 10 at once)');
    expect(wider.adapters.workerIngress).toBe('PubSubPullConsumer(vocoeng-inbound-worker, 40 at once)');
    expect(() => loadConfig({ ...env, PULL_MAX_CONCURRENT: '0' })).toThrow(/PULL_MAX_CONCURRENT/);
    await Promise.all([runtime.stop(), wider.stop()]);
  });

  it('transcribes voice notes with the OpenAI provider when WhatsApp sending is configured, unless TRANSCRIPTION_MODEL=off', async () => {
    const env = { ROLE: 'all', OPENAI_API_KEY: 'sk-test-0123456789', WHATSAPP_ACCESS_TOKEN: 'EAAG-test-token' };
    const on = await buildRole(loadConfig(env), { logger: silent() });
    const off = await buildRole(loadConfig({ ...env, TRANSCRIPTION_MODEL: 'off' }), { logger: silent() });

    expect(on.adapters.transcriber).toBe('OpenAiTranscriber');
    expect(off.adapters.transcriber).toBe('DisabledTranscriber');
    await Promise.all([on.stop(), off.stop()]);
  });

  it('selects the OpenAI model when OPENAI_API_KEY is set, and the scripted one only when asked for', async () => {
    const openai = await buildRole(loadConfig({ ROLE: 'all', OPENAI_API_KEY: 'sk-test-0123456789' }), { logger: silent() });
    const scripted = await buildRole(loadConfig({ ROLE: 'all', OPENAI_API_KEY: 'sk-test-0123456789', AI_PROVIDER: 'scripted' }), { logger: silent() });

    expect(openai.adapters.completionModel).toBe('OpenAiCompletionModel');
    expect(openai.adapters.tokenCounter).toBe('GptTokenCounter');
    // Voice notes need the Graph API to fetch the audio: without a WhatsApp token they get the media reply.
    expect(openai.adapters.transcriber).toBe('DisabledTranscriber');
    expect(scripted.adapters.completionModel).toBe('ScriptedCompletionModel');
    // With the key, a channel may choose OpenAI although the deployment answers with the scripted model.
    expect(scripted.adapters['completionModel.perChannel']).toBe('openai');
    expect(openai.adapters['completionModel.perChannel']).toBeUndefined();
    await Promise.all([openai.stop(), scripted.stop()]);
  });

  it('lets channels choose Gemini besides OpenAI when VERTEX_PROJECT is set', async () => {
    const both = await buildRole(loadConfig({ ROLE: 'all', OPENAI_API_KEY: 'sk-test-0123456789', VERTEX_PROJECT: 'demo-project' }), { logger: silent() });

    expect(both.adapters).toMatchObject({ completionModel: 'OpenAiCompletionModel', 'completionModel.perChannel': 'vertex' });
    await both.stop();
  });

  it('selects the Vertex AI model for AI_PROVIDER=vertex, and no transcriber even with a WhatsApp token', async () => {
    const vertex = await buildRole(loadConfig({ ROLE: 'all', AI_PROVIDER: 'vertex', VERTEX_PROJECT: 'demo-project', WHATSAPP_ACCESS_TOKEN: 'EAAG-test-token' }), { logger: silent() });

    expect(vertex.adapters.completionModel).toBe('VertexCompletionModel');
    expect(vertex.adapters.transcriber).toBe('DisabledTranscriber');
    await vertex.stop();
  });

  it('builds ROLE=all on the embedded adapters when no cloud setting is given', async () => {
    const runtime = await buildRole(loadConfig({ ROLE: 'all' }), { logger: silent() });

    expect(runtime.role).toBe('all');
    expect(runtime.adapters).toMatchObject({
      messageBus: 'InMemoryMessageBus',
      chatStore: 'InMemoryChatStore',
      completionModel: 'ScriptedCompletionModel',
      'replyChannel.whatsapp': 'UnconfiguredReplyChannel',
      'replyChannel.api': 'UnconfiguredReplyChannel',
      deadLetters: 'InMemoryDeadLetterStore',
    });
    return runtime.stop();
  });
});
