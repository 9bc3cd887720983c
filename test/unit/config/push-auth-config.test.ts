import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { problemsOf } from '../../support/config-problems.js';

const AUDIENCE = 'https://vocoeng-api.example.run.app/internal/pubsub/interactions';
const PUSHER = 'vocoeng-pubsub-push@demo.iam.gserviceaccount.com';
const API = { ROLE: 'api', PROJECT_ID: 'demo-project' };
const PUSH_WORKER = { ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', WORKER_MODE: 'push' };

describe('loadConfig (PUSH_AUTH)', () => {
  it.each([
    ['ROLE=api', API],
    ['a push worker', PUSH_WORKER],
    ['ROLE=all on Pub/Sub', { ROLE: 'all', PROJECT_ID: 'demo-project' }],
  ])('refuses %s without PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT, naming PUSH_AUTH and both settings', (_, env) => {
    const problems = problemsOf(env);

    const push = problems.filter((problem) => problem.startsWith('PUSH_AUTH'));
    expect(push).toHaveLength(1);
    expect(push[0]).toContain('PUSH_AUDIENCE');
    expect(push[0]).toContain('PUSH_SERVICE_ACCOUNT');
    expect(push[0]).toContain('PUSH_AUTH=none');
  });

  it.each([
    ['PUSH_AUDIENCE alone', { PUSH_AUDIENCE: AUDIENCE }, 'PUSH_SERVICE_ACCOUNT'],
    ['PUSH_SERVICE_ACCOUNT alone', { PUSH_SERVICE_ACCOUNT: PUSHER }, 'PUSH_AUDIENCE'],
  ])('refuses ROLE=api with %s (any Google-signed token would pass)', (_, push, missing) => {
    const problems = problemsOf({ ...API, ...push });

    expect(problems.some((problem) => problem.startsWith('PUSH_AUTH') && problem.includes(`missing ${missing}`))).toBe(true);
  });

  it('lists the push problem together with the other bad settings in one error', () => {
    const problems = problemsOf({ ...API, PORT: 'abc', PUSH_AUDIENCE: AUDIENCE });

    expect(problems.some((problem) => problem.startsWith('PORT'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('PUSH_AUTH'))).toBe(true);
  });

  it('accepts ROLE=api when both PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT are set', () => {
    const config = loadConfig({ ...API, PUSH_AUDIENCE: AUDIENCE, PUSH_SERVICE_ACCOUNT: PUSHER });

    expect(config.PUSH_AUTH).toBe('oidc');
  });

  it('accepts ROLE=api and a push worker without OIDC settings when PUSH_AUTH=none is set explicitly', () => {
    expect(loadConfig({ ...API, PUSH_AUTH: 'none' }).PUSH_AUTH).toBe('none');
    expect(loadConfig({ ...PUSH_WORKER, PUSH_AUTH: 'none' }).PUSH_AUTH).toBe('none');
  });

  it('refuses PUSH_AUTH=none together with OIDC settings (which of the two is meant is unclear)', () => {
    const problems = problemsOf({ ...API, PUSH_AUTH: 'none', PUSH_AUDIENCE: AUDIENCE, PUSH_SERVICE_ACCOUNT: PUSHER });

    expect(problems.filter((problem) => problem.startsWith('PUSH_AUTH'))).toHaveLength(1);
  });

  it('refuses a PUSH_AUTH that is neither oidc nor none', () => {
    expect(problemsOf({ ...API, PUSH_AUTH: 'off' }).some((problem) => problem.startsWith('PUSH_AUTH'))).toBe(true);
  });

  it('starts roles that take no pushes without OIDC settings (listener, pull worker, ROLE=all in process)', () => {
    expect(() => loadConfig({ ROLE: 'listener', PROJECT_ID: 'demo-project', API_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })).not.toThrow();
    expect(() => loadConfig({ ...PUSH_WORKER, WORKER_MODE: 'pull', PUBSUB_SUBSCRIPTION: 'vocoeng-inbound-worker' })).not.toThrow();
    expect(loadConfig({ ROLE: 'all' }).PUSH_AUTH).toBe('oidc');
  });
});
