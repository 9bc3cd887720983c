import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import {
  createSecretManagerClient,
  SecretLoadError,
  SecretManagerSecretStore,
} from '../../src/adapters/secret-manager/secret-manager-secret-store.js';
import { crc32c } from '../../src/adapters/secret-manager/crc32c.js';
import { aFreePort } from '../support/ports.js';
import { SecretManagerDouble } from '../support/secret-manager-double.js';
import { aSecretName, secretStoreContract } from './secret-store.contract.js';

const PROJECT = 'demo-vocoeng';
const double = new SecretManagerDouble(PROJECT);
let client: SecretManagerServiceClient;

beforeAll(async () => {
  const endpoint = await double.start();
  client = await createSecretManagerClient({ ...endpoint, insecure: true });
});
afterAll(async () => {
  await client?.close();
  await double.stop();
});

/** A store with a cache of its own, reading from the shared double over gRPC. */
const newStore = () => new SecretManagerSecretStore(client, PROJECT, { timeoutMs: 5_000 });
const callsFor = (name: string) => double.calls.filter((call) => call === `projects/${PROJECT}/secrets/${name}/versions/latest`).length;

async function loadError(store: SecretManagerSecretStore, names: string[]): Promise<SecretLoadError> {
  const error = await store.load(names).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SecretLoadError);
  return error as SecretLoadError;
}

secretStoreContract('SecretManagerSecretStore (gRPC double)', async (secrets) => {
  for (const [name, value] of Object.entries(secrets)) double.set(name, value);
  return { store: newStore() };
});

describe('SecretManagerSecretStore over gRPC', () => {
  it('reads the latest version of projects/P/secrets/NAME when loading NAME', async () => {
    const name = aSecretName();
    double.set(name, 'first');
    double.set(name, 'second');
    expect(await newStore().load([name])).toEqual({ [name]: 'second' });
    expect(double.calls).toContain(`projects/${PROJECT}/secrets/${name}/versions/latest`);
  });

  it('describes the latest version through GetSecretVersion when asked for metadata', async () => {
    const name = aSecretName();
    double.set(name, 'one');
    double.set(name, 'two');
    const [version] = await client.getSecretVersion({ name: `projects/${PROJECT}/secrets/${name}/versions/latest` });
    expect(version).toMatchObject({ name: `projects/${PROJECT}/secrets/${name}/versions/2`, state: 'ENABLED' });
  });

  it('round-trips the value when it is not ASCII', async () => {
    const name = aSecretName();
    const value = 'pässwörd — 秘密 🔑 Ωmega';
    double.set(name, value);
    expect(await newStore().load([name])).toEqual({ [name]: value });
  });

  it('drops exactly one trailing newline when the value was stored with one (echo … | gcloud secrets create)', async () => {
    const [one, crlf, two, inner] = [aSecretName(), aSecretName(), aSecretName(), aSecretName()];
    double.set(one, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n');
    double.set(crlf, 'app-secret-0123456789\r\n');
    double.set(two, 'kept-one\n\n');
    double.set(inner, 'line 1\nline 2');

    expect(await newStore().load([one, crlf, two, inner])).toEqual({
      [one]: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      [crlf]: 'app-secret-0123456789',
      [two]: 'kept-one\n',
      [inner]: 'line 1\nline 2',
    });
  });

  it('refuses the secret as empty when its value is only a newline', async () => {
    const name = aSecretName();
    double.set(name, '\n');

    expect((await loadError(newStore(), [name])).failures).toEqual([expect.objectContaining({ name, reason: 'empty' })]);
  });

  it('accepts the payload when the response carries no checksum', async () => {
    const name = aSecretName();
    double.set(name, 'no-checksum', { crc32c: 'omit' });
    expect(await newStore().load([name])).toEqual({ [name]: 'no-checksum' });
  });

  it('accepts the payload when the checksum has its top bit set', async () => {
    const name = aSecretName();
    const value = '123456789'; // CRC-32C 0xE3069283: above the int32 range
    expect(crc32c(new TextEncoder().encode(value))).toBeGreaterThan(0x7fffffff);
    double.set(name, value);
    expect(await newStore().load([name])).toEqual({ [name]: value });
  });

  it('refuses the secret, naming it, when the checksum does not match', async () => {
    const name = aSecretName('corrupt');
    const value = `value-${crypto.randomUUID()}`;
    double.set(name, value, { crc32c: 'corrupt' });
    const error = await loadError(newStore(), [name]);
    expect(error.message).toContain(name);
    expect(error.message).toContain('checksum mismatch');
    expect(error.message).not.toContain(value);
    expect(error.failures).toEqual([expect.objectContaining({ name, reason: 'checksum_mismatch' })]);
  });

  it('names the secret with "permission denied" when access is denied', async () => {
    const name = aSecretName('denied');
    double.set(name, 'hidden');
    double.deny(name);
    const error = await loadError(newStore(), [name]);
    expect(error.message).toContain(name);
    expect(error.message).toContain('permission denied');
    expect(error.message).not.toContain('hidden');
  });

  it('names the secret with "not found" when it does not exist', async () => {
    const name = aSecretName('absent');
    const error = await loadError(newStore(), [name]);
    expect(error.failures).toEqual([expect.objectContaining({ name, reason: 'not_found' })]);
    expect(error.message).toMatch(new RegExp(`${name} \\(not found`));
  });

  it('refuses the secret, naming it, when its value is empty', async () => {
    const name = aSecretName('empty');
    double.set(name, '');
    const error = await loadError(newStore(), [name]);
    expect(error.failures).toEqual([expect.objectContaining({ name, reason: 'empty' })]);
    expect(error.message).toContain(`${name} (empty`);
  });

  it('refuses the secret when its bytes are not UTF-8', async () => {
    const name = aSecretName('binary');
    double.set(name, Uint8Array.from([0xff, 0xfe, 0x00, 0x80]));
    const error = await loadError(newStore(), [name]);
    expect(error.failures).toEqual([expect.objectContaining({ name, reason: 'not_utf8' })]);
  });

  it('reports every failure with its own reason when several secrets fail differently', async () => {
    const [ok, absent, denied, corrupt] = [aSecretName('ok'), aSecretName('absent'), aSecretName('denied'), aSecretName('corrupt')];
    double.set(ok, 'fine');
    double.set(denied, 'x');
    double.deny(denied);
    double.set(corrupt, 'y', { crc32c: 'corrupt' });
    const error = await loadError(newStore(), [ok, absent, denied, corrupt]);
    expect(error.names).toEqual([absent, denied, corrupt]);
    expect(error.failures.map((f) => f.reason)).toEqual(['not_found', 'permission_denied', 'checksum_mismatch']);
    expect(error.message).not.toContain(ok);
  });

  it('refuses a name without calling the server when it is not a valid secret id', async () => {
    const before = double.calls.length;
    const error = await loadError(newStore(), ['../other-project/secrets/x']);
    expect(error.failures).toEqual([expect.objectContaining({ reason: 'invalid_name' })]);
    expect(double.calls.length).toBe(before);
  });

  it('makes no second call when the same names are loaded again', async () => {
    const [a, b] = [aSecretName('a'), aSecretName('b')];
    double.set(a, 'a-value');
    double.set(b, 'b-value');
    const store = newStore();
    expect(await store.load([a, b])).toEqual({ [a]: 'a-value', [b]: 'b-value' });
    double.set(a, 'rotated');
    expect(await store.load([b, a])).toEqual({ [a]: 'a-value', [b]: 'b-value' });
    expect(await store.load([a])).toEqual({ [a]: 'a-value' });
    expect([callsFor(a), callsFor(b)]).toEqual([1, 1]);
  });

  it('makes one call per name when concurrent loads or repeated names ask for it', async () => {
    const name = aSecretName();
    double.set(name, 'v');
    const store = newStore();
    const results = await Promise.all([store.load([name, name]), store.load([name])]);
    expect(results).toEqual([{ [name]: 'v' }, { [name]: 'v' }]);
    expect(callsFor(name)).toBe(1);
  });

  it('reads a secret again when its previous load failed', async () => {
    const name = aSecretName('late');
    const store = newStore();
    await loadError(store, [name]);
    double.set(name, 'now-present');
    expect(await store.load([name])).toEqual({ [name]: 'now-present' });
    expect(callsFor(name)).toBe(2);
  });

  it('names every secret as unreachable when the server is not there', async () => {
    const closed = await createSecretManagerClient({ apiEndpoint: '127.0.0.1', port: await aFreePort(), insecure: true });
    try {
      const name = aSecretName('offline');
      const error = await loadError(new SecretManagerSecretStore(closed, PROJECT, { timeoutMs: 1_000 }), [name]);
      expect(error.failures).toEqual([expect.objectContaining({ name, reason: 'unavailable' })]);
    } finally {
      await closed.close();
    }
  });
});
