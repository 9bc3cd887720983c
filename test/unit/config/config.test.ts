import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { problemsOf } from '../../support/config-problems.js';

/** The problems reported against `variable` (each problem starts with the variable it is about). */
const named = (problems: readonly string[], variable: string) => problems.filter((problem) => problem.startsWith(variable));

describe('loadConfig', () => {
  it('applies the documented defaults when ROLE=all is given alone', () => {
    const config = loadConfig({ ROLE: 'all' });

    expect(config).toMatchObject({
      ROLE: 'all',
      PORT: 8080,
      LOG_LEVEL: 'info',
      PUBSUB_TOPIC: 'vocoeng-inbound',
      PUBSUB_INTERACTIONS_TOPIC: 'vocoeng-interactions',
      WORKER_MODE: 'push',
      WHATSAPP_API_BASE_URL: 'https://graph.facebook.com',
      aiProvider: 'scripted',
      CALLBACK_ALLOWED_HOSTS: [],
    });
    expect(config.WHATSAPP_API_VERSION).toMatch(/^v\d+\.0$/);
    expect(config.PROJECT_ID).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('runs ROLE=all when the environment is empty', () => {
    expect(loadConfig({}).ROLE).toBe('all');
  });

  it('treats empty variables as unset when they are given as ""', () => {
    const config = loadConfig({ ROLE: 'all', PORT: '', PROJECT_ID: '', API_WEBHOOK_SECRET: '' });

    expect(config.PORT).toBe(8080);
    expect(config.PROJECT_ID).toBeUndefined();
    expect(config.API_WEBHOOK_SECRET).toBeUndefined();
  });

  it('selects the openai provider when OPENAI_API_KEY is set and AI_PROVIDER is not', () => {
    expect(loadConfig({ ROLE: 'all', OPENAI_API_KEY: 'sk-test-0123456789' }).aiProvider).toBe('openai');
    expect(loadConfig({ ROLE: 'all', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }).aiProvider).toBe('openai');
  });

  it('splits CALLBACK_ALLOWED_HOSTS on commas when it is set', () => {
    expect(loadConfig({ CALLBACK_ALLOWED_HOSTS: ' localhost, 127.0.0.1 ,,' }).CALLBACK_ALLOWED_HOSTS).toEqual(['localhost', '127.0.0.1']);
  });

  it('throws one ConfigError listing each bad variable when several are bad', () => {
    const problems = problemsOf({
      ROLE: 'all',
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      WORKER_MODE: 'sometimes',
      DATABASE_URL: 'mysql://localhost/db',
      API_WEBHOOK_SECRET: 'not-a-secret',
    });

    for (const variable of ['PORT', 'LOG_LEVEL', 'WORKER_MODE', 'DATABASE_URL', 'API_WEBHOOK_SECRET']) {
      expect(named(problems, variable), variable).toHaveLength(1);
    }
  });

  it('puts every problem in the error message when it throws', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
  });

  it('lists a bad value and a missing required setting together when both are wrong', () => {
    // CONTRACT.md: "a bad or missing value stops the process with one message listing every problem".
    const problems = problemsOf({ ROLE: 'worker', PORT: 'abc' });

    expect(named(problems, 'PORT')).toHaveLength(1);
    expect(named(problems, 'PROJECT_ID')).toHaveLength(1);
    expect(named(problems, 'AI_PROVIDER')).toHaveLength(1);
  });

  it('throws naming AI_PROVIDER when ROLE=worker has no AI settings', () => {
    const problems = problemsOf({ ROLE: 'worker', PROJECT_ID: 'demo-project' });

    expect(named(problems, 'AI_PROVIDER')).toHaveLength(1);
  });

  it('accepts ROLE=worker when AI_PROVIDER=scripted is set explicitly', () => {
    expect(loadConfig({ ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', PUSH_AUTH: 'none' }).aiProvider).toBe('scripted');
  });

  it('throws naming OPENAI_API_KEY when AI_PROVIDER=openai has neither key nor base URL', () => {
    expect(named(problemsOf({ ROLE: 'all', AI_PROVIDER: 'openai' }), 'OPENAI_API_KEY')).toHaveLength(1);
  });

  it('throws naming PROJECT_ID when ROLE=listener has no PROJECT_ID', () => {
    const problems = problemsOf({ ROLE: 'listener', WHATSAPP_APP_SECRET: 'app-secret-123', WHATSAPP_VERIFY_TOKEN: 'verify-123' });

    expect(problems).toEqual([expect.stringMatching(/^PROJECT_ID: /)]);
  });

  it.each([['listener'], ['api']])('throws naming PROJECT_ID when ROLE=%s has no PROJECT_ID', (role) => {
    expect(named(problemsOf({ ROLE: role, API_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), 'PROJECT_ID')).toHaveLength(1);
  });

  it('throws naming the channel secrets when ROLE=listener has none', () => {
    const problems = problemsOf({ ROLE: 'listener', PROJECT_ID: 'demo-project' });

    expect(named(problems, 'WHATSAPP_APP_SECRET')).toHaveLength(1);
  });

  it('throws naming WHATSAPP_VERIFY_TOKEN when WHATSAPP_APP_SECRET is set without it', () => {
    expect(named(problemsOf({ ROLE: 'all', WHATSAPP_APP_SECRET: 'app-secret-123' }), 'WHATSAPP_VERIFY_TOKEN')).toHaveLength(1);
  });

  it('throws naming PUBSUB_SUBSCRIPTION when a pull worker has none', () => {
    const problems = problemsOf({ ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', WORKER_MODE: 'pull' });

    expect(named(problems, 'PUBSUB_SUBSCRIPTION')).toHaveLength(1);
  });

  it.each([['abc'], ['80.5'], ['-1'], ['70000']])('throws naming PORT when PORT=%s', (port) => {
    const problems = problemsOf({ ROLE: 'all', PORT: port });

    expect(problems).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  it('reads PORT as a number when it is numeric', () => {
    expect(loadConfig({ PORT: '3000' }).PORT).toBe(3000);
  });

  it.each([['not-a-secret'], ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], ['whsec_'], ['whsec_not base64!']])(
    'throws naming API_WEBHOOK_SECRET when it is %s',
    (secret) => {
      expect(problemsOf({ ROLE: 'all', API_WEBHOOK_SECRET: secret })).toEqual([expect.stringMatching(/^API_WEBHOOK_SECRET: .*whsec_/)]);
    },
  );

  it('accepts API_WEBHOOK_SECRET when it is whsec_ followed by base64', () => {
    expect(loadConfig({ API_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).API_WEBHOOK_SECRET).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });

  it('accepts the Unix-socket form of DATABASE_URL that Cloud SQL on Cloud Run uses (no host, ?host=/cloudsql/…)', () => {
    const url = 'postgresql://vocoeng:pw-0123456789@/vocoeng?host=/cloudsql/demo-project:europe-west1:vocoeng';

    expect(loadConfig({ ROLE: 'all', DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(loadConfig({ ROLE: 'all', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app' }).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/app');
  });

  it('names DATABASE_URL, without its value, when it has neither a host nor an absolute ?host= socket directory', () => {
    for (const url of ['postgresql://vocoeng:s3cr3t-pw@/vocoeng', 'postgresql://vocoeng:s3cr3t-pw@/vocoeng?host=cloudsql/x']) {
      const problems = problemsOf({ ROLE: 'all', DATABASE_URL: url });
      expect(named(problems, 'DATABASE_URL'), url).toHaveLength(1);
      expect(problems.join('\n')).not.toContain('s3cr3t');
    }
  });

  it('throws naming ROLE when it is not one of the four roles', () => {
    expect(named(problemsOf({ ROLE: 'scheduler' }), 'ROLE')).toHaveLength(1);
  });

  it.each([
    ['BOOTSTRAP_API_KEY', 'short-key-xyz'],
    ['WHATSAPP_APP_SECRET', 'tiny42'],
    ['OPENAI_API_KEY', 'sk-1234'],
    ['ADMIN_PASSWORD', 'hunter2!'],
    ['DATABASE_URL', 'mysql://admin:s3cr3t-pw@db.internal/app'],
  ])('names %s but never shows its value when it is invalid', (variable, value) => {
    let message = '';
    try {
      loadConfig({ ROLE: 'all', [variable]: value, PORT: 'abc' });
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain(variable);
    expect(message).not.toContain(value);
    expect(message).not.toContain('s3cr3t');
  });
});
