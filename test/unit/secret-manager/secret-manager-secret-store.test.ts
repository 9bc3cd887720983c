import { describe, expect, it } from 'vitest';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { crc32c } from '../../../src/adapters/secret-manager/crc32c.js';
import { SecretLoadError, SecretManagerSecretStore } from '../../../src/adapters/secret-manager/secret-manager-secret-store.js';

type Payload = { data?: Uint8Array | string | null; dataCrc32c?: unknown };

/** A client answering every access with `payload`, or failing with `error`: decoders other than gRPC's. */
function clientAnswering(answer: { payload?: Payload; error?: unknown }): SecretManagerServiceClient {
  const accessSecretVersion = async () => {
    if (answer.error) throw answer.error;
    return [{ payload: answer.payload }, undefined, undefined];
  };
  return { accessSecretVersion } as unknown as SecretManagerServiceClient;
}

const VALUE = 'pässwörd';
const BYTES = new TextEncoder().encode(VALUE);
const CRC = crc32c(BYTES);

function longOf(value: bigint) {
  return { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)), unsigned: false };
}

describe('SecretManagerSecretStore', () => {
  it.each([
    ['a decimal string', String(CRC)],
    ['a number', CRC],
    ['a Long', longOf(BigInt(CRC))],
    ['a bigint', BigInt(CRC)],
  ])('accepts the payload when its checksum arrives as %s', async (_label, dataCrc32c) => {
    const store = new SecretManagerSecretStore(clientAnswering({ payload: { data: BYTES, dataCrc32c } }), 'p');
    expect(await store.load(['s'])).toEqual({ s: VALUE });
  });

  it.each([
    ['a decimal string', String(CRC ^ 4)],
    ['a number', CRC + 1],
    ['a Long', longOf(BigInt(CRC ^ 0x80000000))],
    ['text that is not a number', 'not-a-crc'],
  ])('refuses the payload when a wrong checksum arrives as %s', async (_label, dataCrc32c) => {
    const store = new SecretManagerSecretStore(clientAnswering({ payload: { data: BYTES, dataCrc32c } }), 'p');
    const error = await store.load(['s']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretLoadError);
    expect((error as SecretLoadError).failures).toEqual([expect.objectContaining({ name: 's', reason: 'checksum_mismatch' })]);
  });

  it('decodes base64 when the payload data arrives as a string', async () => {
    const data = Buffer.from(BYTES).toString('base64');
    const store = new SecretManagerSecretStore(clientAnswering({ payload: { data, dataCrc32c: String(CRC) } }), 'p');
    expect(await store.load(['s'])).toEqual({ s: VALUE });
  });

  it('refuses the secret as empty when the response has no payload', async () => {
    const store = new SecretManagerSecretStore(clientAnswering({}), 'p');
    const error = (await store.load(['s']).catch((e: unknown) => e)) as SecretLoadError;
    expect(error.failures).toEqual([expect.objectContaining({ name: 's', reason: 'empty' })]);
  });

  it('names the secret with the cause when the failure is not a gRPC status', async () => {
    const store = new SecretManagerSecretStore(clientAnswering({ error: new Error('Could not load the default credentials') }), 'p');
    const error = (await store.load(['s']).catch((e: unknown) => e)) as SecretLoadError;
    expect(error.message).toContain('s (error: Could not load the default credentials)');
    expect(error.code).toBe('secrets_unreadable');
  });
});
