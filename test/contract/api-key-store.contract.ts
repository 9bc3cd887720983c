import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ApiKeyStore } from '../../src/domain/ports/api-key-store.js';

export interface ApiKeyStoreUnderTest {
  store: ApiKeyStore;
  /** Every stored value of the key rows as text, to prove no plaintext key is kept. */
  dump: () => Promise<string>;
}

const T0 = Date.UTC(2030, 0, 1);

/** The shared cases every ApiKeyStore implementation must pass. */
export function apiKeyStoreContract(name: string, make: () => Promise<ApiKeyStoreUnderTest>): void {
  describe(name, () => {
    const aName = () => `key-${randomUUID()}`;

    it('verifies a created key with its scopes and records when it was used', async () => {
      const { store } = await make();
      const { info, secret } = await store.create({ name: aName(), scopes: ['analytics:read'], createdBy: 'ops@example.com' }, T0);
      expect(secret.startsWith(info.prefix)).toBe(true);
      const principal = await store.verify(secret, T0 + 5_000);
      expect(principal?.keyId).toBe(info.id);
      expect([...principal!.scopes]).toEqual(['analytics:read']);
      const listed = (await store.list()).find((k) => k.id === info.id);
      expect(listed).toMatchObject({ name: info.name, prefix: info.prefix, scopes: ['analytics:read'], createdBy: 'ops@example.com', lastUsedAt: T0 + 5_000, revokedAt: null });
    });

    it('rejects unknown, malformed, truncated and tampered keys when verifying', async () => {
      const { store } = await make();
      const { secret } = await store.create({ name: aName(), scopes: ['admin'] }, T0);
      const tampered = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
      for (const presented of ['', 'vk_', secret.slice(0, 20), tampered, `${secret}x`, `Bearer ${secret}`, 'x'.repeat(5_000)]) {
        expect(await store.verify(presented, T0)).toBeNull();
      }
    });

    it('refuses a key after it is revoked, and revoking again is still true', async () => {
      const { store } = await make();
      const { info, secret } = await store.create({ name: aName(), scopes: ['admin', 'analytics:read'] }, T0);
      expect(await store.revoke(info.id, T0 + 1)).toBe(true);
      expect(await store.verify(secret, T0 + 2)).toBeNull();
      expect(await store.revoke(info.id, T0 + 3)).toBe(true);
      expect((await store.list()).find((k) => k.id === info.id)?.revokedAt).toBe(T0 + 1);
    });

    it('answers false when revoking a key that does not exist', async () => {
      const { store } = await make();
      expect(await store.revoke(randomUUID(), T0)).toBe(false);
      expect(await store.revoke('not-a-uuid', T0)).toBe(false);
    });

    it('keeps no plaintext key, only its prefix', async () => {
      const under = await make();
      const { info, secret } = await under.store.create({ name: aName(), scopes: ['admin'] }, T0);
      const dump = await under.dump();
      expect(dump).toContain(info.prefix);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(info.prefix.length + 1));
    });

    it('lists the newest key first', async () => {
      const { store } = await make();
      const older = await store.create({ name: aName(), scopes: ['admin'] }, T0 + 10);
      const newer = await store.create({ name: aName(), scopes: ['admin'] }, T0 + 20);
      const ids = (await store.list()).map((k) => k.id);
      expect(ids.indexOf(newer.info.id)).toBeLessThan(ids.indexOf(older.info.id));
    });

    it('writes the last-use time at most once a minute', async () => {
      const { store } = await make();
      const { info, secret } = await store.create({ name: aName(), scopes: ['admin'] }, T0);
      await store.verify(secret, T0 + 1_000);
      await store.verify(secret, T0 + 30_000);
      expect((await store.list()).find((k) => k.id === info.id)?.lastUsedAt).toBe(T0 + 1_000);
      await store.verify(secret, T0 + 61_000);
      expect((await store.list()).find((k) => k.id === info.id)?.lastUsedAt).toBe(T0 + 61_000);
    });
  });
}
