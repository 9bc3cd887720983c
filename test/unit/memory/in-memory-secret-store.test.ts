import { describe, expect, it } from 'vitest';
import { InMemorySecretStore, SecretNotFoundError } from '../../../src/adapters/memory/in-memory-secret-store.js';

describe('InMemorySecretStore', () => {
  it('returns the asked secrets when all are present', async () => {
    const store = new InMemorySecretStore({ A: 'a-value', B: 'b-value', C: 'c-value' });
    expect(await store.load(['A', 'C'])).toEqual({ A: 'a-value', C: 'c-value' });
  });

  it('rejects naming every missing secret when some are absent', async () => {
    const store = new InMemorySecretStore({ A: 'a-value' });
    const error = await store.load(['A', 'B', 'C']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error).toMatchObject({ names: ['B', 'C'] });
    expect((error as Error).message).toContain('B, C');
  });
});
