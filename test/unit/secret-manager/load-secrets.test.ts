import { describe, expect, it } from 'vitest';
import { InMemorySecretStore, SecretNotFoundError } from '../../../src/adapters/memory/in-memory-secret-store.js';
import { loadSecretsIntoEnv, secretNamesFrom, secretNameToVariable } from '../../../src/adapters/secret-manager/load-secrets.js';
import type { SecretStore } from '../../../src/domain/ports/secret-store.js';

/** An InMemorySecretStore that records what it was asked for. */
function recordingStore(secrets: Record<string, string>): SecretStore & { asked: string[][] } {
  const inner = new InMemorySecretStore(secrets);
  const asked: string[][] = [];
  return {
    asked,
    load: (names) => {
      asked.push([...names]);
      return inner.load(names);
    },
  };
}

describe('secretNameToVariable', () => {
  it.each([
    ['whatsapp-app-secret', 'WHATSAPP_APP_SECRET'],
    ['api-webhook-secret', 'API_WEBHOOK_SECRET'],
    ['OPENAI_API_KEY', 'OPENAI_API_KEY'],
    ['openai_api-key', 'OPENAI_API_KEY'],
    ['db2-password', 'DB2_PASSWORD'],
  ])('maps %s to %s', (name, variable) => {
    expect(secretNameToVariable(name)).toBe(variable);
  });
});

describe('secretNamesFrom', () => {
  it('splits on commas, trimming and dropping blanks and repeats', () => {
    expect(secretNamesFrom({ SECRET_MANAGER_SECRETS: ' a-b , ,c,a-b,' })).toEqual(['a-b', 'c']);
  });

  it('returns no names when SECRET_MANAGER_SECRETS is unset or blank', () => {
    expect(secretNamesFrom({})).toEqual([]);
    expect(secretNamesFrom({ SECRET_MANAGER_SECRETS: ' ' })).toEqual([]);
  });
});

describe('loadSecretsIntoEnv', () => {
  it('supplies each listed secret as its upper-snake-case variable, keeping the rest of env', async () => {
    const env = { ROLE: 'listener', SECRET_MANAGER_SECRETS: 'whatsapp-app-secret,whatsapp-verify-token' };
    const store = recordingStore({ 'whatsapp-app-secret': 'app-secret-1', 'whatsapp-verify-token': 'verify-1', unrelated: 'x' });
    expect(await loadSecretsIntoEnv(env, store)).toEqual({
      ROLE: 'listener',
      SECRET_MANAGER_SECRETS: 'whatsapp-app-secret,whatsapp-verify-token',
      WHATSAPP_APP_SECRET: 'app-secret-1',
      WHATSAPP_VERIFY_TOKEN: 'verify-1',
    });
    expect(store.asked).toEqual([['whatsapp-app-secret', 'whatsapp-verify-token']]);
  });

  it('leaves the given env untouched when it returns the merged copy', async () => {
    const env = Object.freeze({ SECRET_MANAGER_SECRETS: 'api-webhook-secret' });
    const merged = await loadSecretsIntoEnv(env, recordingStore({ 'api-webhook-secret': 'whsec_x' }));
    expect(env).toEqual({ SECRET_MANAGER_SECRETS: 'api-webhook-secret' });
    expect(merged).not.toBe(env);
    expect(merged.API_WEBHOOK_SECRET).toBe('whsec_x');
  });

  it('asks the store nothing when SECRET_MANAGER_SECRETS is unset', async () => {
    const store = recordingStore({});
    expect(await loadSecretsIntoEnv({ ROLE: 'all' }, store)).toEqual({ ROLE: 'all' });
    expect(store.asked).toEqual([]);
  });

  it('keeps an explicitly set variable and does not read its secret when both exist', async () => {
    const env = { SECRET_MANAGER_SECRETS: 'whatsapp-access-token,whatsapp-app-secret', WHATSAPP_ACCESS_TOKEN: 'explicit' };
    // The store lacks whatsapp-access-token: reading it would fail the load.
    const store = recordingStore({ 'whatsapp-app-secret': 'from-secret-manager' });
    const merged = await loadSecretsIntoEnv(env, store);
    expect(merged).toMatchObject({ WHATSAPP_ACCESS_TOKEN: 'explicit', WHATSAPP_APP_SECRET: 'from-secret-manager' });
    expect(store.asked).toEqual([['whatsapp-app-secret']]);
  });

  it('asks the store nothing when every listed variable is set explicitly', async () => {
    const store = recordingStore({});
    const merged = await loadSecretsIntoEnv({ SECRET_MANAGER_SECRETS: 'a-b', A_B: 'set' }, store);
    expect(merged.A_B).toBe('set');
    expect(store.asked).toEqual([]);
  });

  it('fills a variable from its secret when the variable is set but empty', async () => {
    const merged = await loadSecretsIntoEnv({ SECRET_MANAGER_SECRETS: 'a-b', A_B: '' }, recordingStore({ 'a-b': 'secret' }));
    expect(merged.A_B).toBe('secret');
  });

  it('rejects with the store error naming every unreadable secret when some are missing', async () => {
    const env = { SECRET_MANAGER_SECRETS: 'present,missing-one,missing-two' };
    const error = await loadSecretsIntoEnv(env, recordingStore({ present: 'p' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toContain('missing-one, missing-two');
  });

  it('rejects without reading when two names supply the same variable', async () => {
    const store = recordingStore({ 'a-b': '1', a_b: '2' });
    await expect(loadSecretsIntoEnv({ SECRET_MANAGER_SECRETS: 'a-b,a_b' }, store)).rejects.toThrow(/"a-b" and "a_b" both supply A_B/);
    expect(store.asked).toEqual([]);
  });
});
