import { describe, expect, it } from 'vitest';
import { defaultModelOf, loadConfig, transcribesVoiceNotes, vertexProjectOf } from '../../../src/config/config.js';
import { replyPolicyOf } from '../../../src/composition/reply-policy.js';
import { problemsOf } from '../../support/config-problems.js';

const worker = { ROLE: 'worker', PROJECT_ID: 'demo-project', PUSH_AUTH: 'none' };

describe('loadConfig with AI_PROVIDER=vertex', () => {
  it('defaults to the global location, PROJECT_ID and google/gemini-2.5-flash when only AI_PROVIDER=vertex is set', () => {
    const config = loadConfig({ ...worker, AI_PROVIDER: 'vertex' });

    expect(config).toMatchObject({ aiProvider: 'vertex', VERTEX_LOCATION: 'global', VERTEX_MODEL: 'google/gemini-2.5-flash' });
    expect(config.VERTEX_BASE_URL).toBeUndefined();
    expect(vertexProjectOf(config)).toBe('demo-project');
    expect(defaultModelOf(config)).toBe('google/gemini-2.5-flash');
  });

  it('takes VERTEX_PROJECT, VERTEX_LOCATION, VERTEX_MODEL and VERTEX_BASE_URL when given', () => {
    const config = loadConfig({ ROLE: 'all', AI_PROVIDER: 'vertex', VERTEX_PROJECT: 'ai-project', VERTEX_LOCATION: 'europe-west1', VERTEX_MODEL: 'google/gemini-2.5-pro', VERTEX_BASE_URL: 'http://127.0.0.1:9999' });

    expect(vertexProjectOf(config)).toBe('ai-project');
    expect(config).toMatchObject({ VERTEX_LOCATION: 'europe-west1', VERTEX_BASE_URL: 'http://127.0.0.1:9999' });
    expect(replyPolicyOf(config).model).toBe('google/gemini-2.5-pro');
  });

  it('prices Gemini models out of the box', () => {
    const { prices } = replyPolicyOf(loadConfig({ ...worker, AI_PROVIDER: 'vertex' }));
    expect(prices['google/gemini-2.5-flash']).toEqual({ prompt: 0.3, completion: 2.5 });
    expect(prices['google/gemini-2.5-pro']).toEqual({ prompt: 1.25, completion: 10 });
  });

  it('lists every bad Vertex setting at once, the missing project among them, when ROLE=all has no project', () => {
    const problems = problemsOf({ ROLE: 'all', AI_PROVIDER: 'vertex', VERTEX_LOCATION: 'Europe West', VERTEX_BASE_URL: 'not a url' });

    expect(problems.filter((p) => p.startsWith('VERTEX_PROJECT'))).toEqual([expect.stringContaining('required when AI_PROVIDER=vertex')]);
    expect(problems.filter((p) => p.startsWith('VERTEX_LOCATION'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('VERTEX_BASE_URL'))).toHaveLength(1);
  });

  it('counts the model budget in the lease with vertex as with openai', () => {
    const problems = problemsOf({ ...worker, AI_PROVIDER: 'vertex', OPENAI_TIMEOUT_MS: '60000', REPLY_LEASE_MS: '60000' });
    expect(problems).toEqual([expect.stringMatching(/^REPLY_LEASE_MS: .*OPENAI_TIMEOUT_MS 60000/)]);
  });

  it('does not transcribe voice notes with vertex (they get the media reply)', () => {
    const config = loadConfig({ ...worker, AI_PROVIDER: 'vertex', WHATSAPP_ACCESS_TOKEN: 'EAAG-test-token' });
    expect(transcribesVoiceNotes(config)).toBe(false);
  });
});
