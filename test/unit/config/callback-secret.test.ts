import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { problemsOf } from '../../support/config-problems.js';

const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;
// PUSH_AUTH=none: this file is about callback keys; push authentication has its own tests.
const cloudWorker = { ROLE: 'worker', PROJECT_ID: 'demo-project', AI_PROVIDER: 'scripted', PUSH_AUTH: 'none' };

describe('loadConfig API_WEBHOOK_SECRET and API_CALLBACK_SECRET', () => {
  it('refuses both secrets, naming each and neither value, when they decode to fewer than 24 bytes', () => {
    const inbound = secretOf(23);
    const callback = secretOf(16);

    const problems = problemsOf({ ROLE: 'all', API_WEBHOOK_SECRET: inbound, API_CALLBACK_SECRET: callback });

    expect(problems).toEqual([
      expect.stringMatching(/^API_WEBHOOK_SECRET: .*at least 24 bytes/),
      expect.stringMatching(/^API_CALLBACK_SECRET: .*at least 24 bytes/),
    ]);
    expect(problems.join('\n')).not.toContain(inbound.slice(6, 20));
    expect(problems.join('\n')).not.toContain(callback.slice(6, 20));
  });

  it('accepts secrets of exactly 24 decoded bytes', () => {
    const config = loadConfig({ ...cloudWorker, API_WEBHOOK_SECRET: secretOf(24), API_CALLBACK_SECRET: secretOf(24) });

    expect(config.API_CALLBACK_SECRET).toMatch(/^whsec_/);
    expect(config.callbackSecretGenerated).toBe(false);
  });

  it('refuses a worker that takes the API channel without API_CALLBACK_SECRET', () => {
    expect(problemsOf({ ...cloudWorker, API_WEBHOOK_SECRET: secretOf(32) })).toEqual([expect.stringMatching(/^API_CALLBACK_SECRET: required with API_WEBHOOK_SECRET/)]);
  });

  it('refuses ROLE=all on cloud settings that takes the API channel without API_CALLBACK_SECRET', () => {
    expect(problemsOf({ ROLE: 'all', PROJECT_ID: 'demo-project', PUSH_AUTH: 'none', API_WEBHOOK_SECRET: secretOf(32) })).toEqual([
      expect.stringMatching(/^API_CALLBACK_SECRET: required with API_WEBHOOK_SECRET/),
    ]);
  });

  it('runs a listener with API_WEBHOOK_SECRET alone (it sends no callbacks)', () => {
    expect(loadConfig({ ROLE: 'listener', PROJECT_ID: 'demo-project', API_WEBHOOK_SECRET: secretOf(32) }).API_CALLBACK_SECRET).toBeUndefined();
  });

  it('refuses API_CALLBACK_SECRET when it is the same key as API_WEBHOOK_SECRET', () => {
    const key = randomBytes(32);
    const problems = problemsOf({ ...cloudWorker, API_WEBHOOK_SECRET: `whsec_${key.toString('base64')}`, API_CALLBACK_SECRET: `whsec_${key.toString('base64').replace(/=+$/, '')}` });

    expect(problems).toEqual([expect.stringMatching(/^API_CALLBACK_SECRET: must not be the key of API_WEBHOOK_SECRET/)]);
  });

  it('generates a fresh 32-byte API_CALLBACK_SECRET for a local ROLE=all that takes the API channel without one, and says so', () => {
    const inbound = secretOf(32);
    const first = loadConfig({ ROLE: 'all', API_WEBHOOK_SECRET: inbound });
    const second = loadConfig({ ROLE: 'all', API_WEBHOOK_SECRET: inbound });

    expect(first.callbackSecretGenerated).toBe(true);
    expect(Buffer.from(first.API_CALLBACK_SECRET!.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(first.API_CALLBACK_SECRET).not.toBe(second.API_CALLBACK_SECRET);
    expect(first.API_CALLBACK_SECRET).not.toBe(inbound);
  });

  it('generates nothing for a local ROLE=all without the API channel', () => {
    const config = loadConfig({ ROLE: 'all' });

    expect(config.API_CALLBACK_SECRET).toBeUndefined();
    expect(config.callbackSecretGenerated).toBe(false);
  });
});
