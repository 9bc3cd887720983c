import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { problemsOf } from '../../support/config-problems.js';
import { replyPolicyOf } from '../../../src/composition/reply-policy.js';

/** A production worker on OpenAI that can send to WhatsApp, so voice notes are transcribed. */
const worker = {
  ROLE: 'worker',
  PROJECT_ID: 'demo-project',
  OPENAI_API_KEY: 'sk-test-key-000000',
  WHATSAPP_ACCESS_TOKEN: 'graph-token-0000',
  // This file is about the lease; push authentication has its own tests.
  PUSH_AUTH: 'none',
};

describe('loadConfig (the reply lease and the budgets inside it)', () => {
  it('uses a 60 s lease by default, and the default budgets fit in it', () => {
    const config = loadConfig(worker);

    expect(config.REPLY_LEASE_MS).toBe(60_000);
    expect(replyPolicyOf(config)).toMatchObject({ leaseMs: 60_000, leaseMarginMs: 5_000 });
  });

  it('takes the lease from REPLY_LEASE_MS', () => {
    expect(replyPolicyOf(loadConfig({ ...worker, REPLY_LEASE_MS: '120000' })).leaseMs).toBe(120_000);
  });

  it('refuses at start budgets that cannot fit in the lease, naming each part, beside every other problem', () => {
    const problems = problemsOf({ ...worker, COALESCE_WINDOW_MS: '20000', OPENAI_TIMEOUT_MS: '30000', TRANSCRIPTION_TIMEOUT_MS: '20000', LOG_LEVEL: 'loud' });

    const lease = problems.filter((problem) => problem.startsWith('REPLY_LEASE_MS'));
    expect(lease).toHaveLength(1);
    expect(lease[0]).toContain('60000');
    for (const part of ['COALESCE_WINDOW_MS 20000', 'TRANSCRIPTION_TIMEOUT_MS 20000', 'OPENAI_TIMEOUT_MS 30000', 'margin 5000', '75000']) expect(lease[0]).toContain(part);
    expect(problems.some((problem) => problem.startsWith('LOG_LEVEL'))).toBe(true);
  });

  it('counts the transcription only where voice notes are transcribed, and the model only for the OpenAI provider', () => {
    // Transcription off: 20 s window + 30 s model + 5 s margin fit in 60 s.
    expect(() => loadConfig({ ...worker, COALESCE_WINDOW_MS: '20000', TRANSCRIPTION_MODEL: 'off' })).not.toThrow();
    // The scripted model: only the window and the margin.
    expect(() => loadConfig({ ROLE: 'all', COALESCE_WINDOW_MS: '30000', REPLY_LEASE_MS: '40000' })).not.toThrow();
    expect(problemsOf({ ROLE: 'all', COALESCE_WINDOW_MS: '30000', REPLY_LEASE_MS: '30000' })).toEqual([expect.stringMatching(/^REPLY_LEASE_MS: .*COALESCE_WINDOW_MS 30000/)]);
  });

  it('makes the budgets fit again with a longer lease', () => {
    expect(() => loadConfig({ ...worker, COALESCE_WINDOW_MS: '20000', OPENAI_TIMEOUT_MS: '30000', REPLY_LEASE_MS: '90000' })).not.toThrow();
  });
});
