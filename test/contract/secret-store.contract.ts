import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SecretStore } from '../../src/domain/ports/secret-store.js';

export interface SecretStoreUnderTest {
  store: SecretStore;
  cleanup?: () => Promise<void>;
}

/** Builds a fresh store in which exactly `secrets` (name → value) exist. */
export type MakeSecretStore = (secrets: Record<string, string>) => Promise<SecretStoreUnderTest>;

/** A name no other test uses, valid as a Secret Manager secret id. */
export const aSecretName = (label = 'secret') => `${label}-${randomUUID()}`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

/** The shared cases every SecretStore implementation must pass. */
export function secretStoreContract(name: string, make: MakeSecretStore): void {
  describe(name, () => {
    let cleanups: (() => Promise<void>)[] = [];

    async function storeWith(secrets: Record<string, string>): Promise<SecretStore> {
      const made = await make(secrets);
      if (made.cleanup) cleanups.push(made.cleanup);
      return made.store;
    }

    beforeEach(() => {
      cleanups = [];
    });
    afterEach(async () => {
      await Promise.all(cleanups.map((cleanup) => cleanup()));
    });

    it('returns every asked secret by name when all are present', async () => {
      const [a, b, c] = [aSecretName('a'), aSecretName('b'), aSecretName('c')];
      const store = await storeWith({ [a]: 'a-value', [b]: 'b-value', [c]: 'c-value' });
      expect(await store.load([a, c])).toEqual({ [a]: 'a-value', [c]: 'c-value' });
    });

    it('returns an empty record when no names are asked', async () => {
      const store = await storeWith({ [aSecretName()]: 'value' });
      expect(await store.load([])).toEqual({});
    });

    it('keeps values exactly when they hold spaces, symbols and newlines', async () => {
      const name = aSecretName();
      const value = '  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+/=\n"quoted"\t';
      const store = await storeWith({ [name]: value });
      expect(await store.load([name])).toEqual({ [name]: value });
    });

    it('rejects with an error naming the secret when one is missing', async () => {
      const missing = aSecretName('missing');
      const store = await storeWith({});
      const error = await rejection(store.load([missing]));
      expect(error.message).toContain(missing);
      expect(error).toMatchObject({ names: [missing] });
    });

    it('names every missing secret at once when several are missing', async () => {
      const present = aSecretName('present');
      const missing = [aSecretName('missing'), aSecretName('missing'), aSecretName('missing')];
      const store = await storeWith({ [present]: 'present-value' });
      const error = await rejection(store.load([missing[0]!, present, missing[1]!, missing[2]!]));
      for (const name of missing) expect(error.message).toContain(name);
      expect(error.message).not.toContain(present);
      expect([...(error as unknown as { names: string[] }).names].sort()).toEqual([...missing].sort());
    });

    it('returns nothing and reveals no value when any asked secret is missing', async () => {
      const present = aSecretName('present');
      const value = `value-${randomUUID()}`;
      const missing = aSecretName('missing');
      const store = await storeWith({ [present]: value });
      let partial: unknown;
      const error = await rejection(store.load([present, missing]).then((result) => (partial = result)));
      expect(partial).toBeUndefined();
      expect(error.message).not.toContain(value);
      expect(JSON.stringify(error)).not.toContain(value);
    });

    it('still returns present secrets when a previous load failed', async () => {
      const present = aSecretName('present');
      const store = await storeWith({ [present]: 'p' });
      await rejection(store.load([present, aSecretName('missing')]));
      expect(await store.load([present])).toEqual({ [present]: 'p' });
    });
  });
}
