import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/composition/adapters-module.js';
import { buildRole } from '../../src/composition/role.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { TEST_APP_SECRET, TEST_VERIFY_TOKEN } from '../support/role-harness.js';

const silent = () => createLogger({ level: 'error', stream: new PassThrough() });

function startupErrorOf(env: Record<string, string>): StartupError {
  const config = loadConfig(env);
  try {
    buildRole(config, { logger: silent() });
  } catch (error) {
    if (error instanceof StartupError) return error;
    throw error;
  }
  throw new Error('buildRole did not throw');
}

// The Google Cloud adapters are not in this build yet: a role that needs them must refuse to
// start rather than run on in-memory fakes (CONTRACT.md: never silently fall back to a fake).
describe('buildRole', () => {
  it('throws a StartupError naming PROJECT_ID when ROLE=listener selects the Google adapters', () => {
    const error = startupErrorOf({ ROLE: 'listener', PROJECT_ID: 'demo-project', WHATSAPP_APP_SECRET: TEST_APP_SECRET, WHATSAPP_VERIFY_TOKEN: TEST_VERIFY_TOKEN });

    expect(error.message).toContain('PROJECT_ID');
    expect(error.problems.some((problem) => problem.includes('PROJECT_ID'))).toBe(true);
  });

  it.each([
    ['worker', { AI_PROVIDER: 'scripted' }],
    ['api', {}],
  ])('throws a StartupError naming PROJECT_ID when ROLE=%s selects the Google adapters', (role, extra) => {
    const error = startupErrorOf({ ROLE: role, PROJECT_ID: 'demo-project', ...extra });

    expect(error.message).toContain('PROJECT_ID');
  });

  it('lists every unavailable selection in one StartupError when several are configured', () => {
    const error = startupErrorOf({
      ROLE: 'all',
      PROJECT_ID: 'demo-project',
      DATABASE_URL: 'postgres://localhost:5432/vocoeng',
      OPENAI_API_KEY: 'sk-test-0123456789',
    });

    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/PROJECT_ID[\s\S]*DATABASE_URL[\s\S]*OPENAI/);
  });

  it('builds ROLE=all on the embedded adapters when no cloud setting is given', () => {
    const runtime = buildRole(loadConfig({ ROLE: 'all' }), { logger: silent() });

    expect(runtime.role).toBe('all');
    expect(runtime.adapters).toMatchObject({
      messageBus: 'InMemoryMessageBus',
      chatStore: 'InMemoryChatStore',
      completionModel: 'ScriptedCompletionModel',
      'replyChannel.whatsapp': 'UnconfiguredReplyChannel',
      'replyChannel.api': 'UnconfiguredReplyChannel',
    });
    return runtime.stop();
  });
});
