import { randomUUID } from 'node:crypto';
import { hashApiKey, type ApiKeyInfo, type ApiPrincipal, type NewApiKey } from '../../domain/model/api-key.js';
import type { ApiKeyStore } from '../../domain/ports/api-key-store.js';
import { LAST_USED_RESOLUTION_MS, newApiKeySecret, prefixOf, sameHash } from '../api-key-secrets.js';

/** API keys in process memory, stored like the database does: prefix + SHA-256 only. */
export class InMemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, { info: ApiKeyInfo; hash: Buffer }>();

  async create(key: NewApiKey, now: number): Promise<{ info: ApiKeyInfo; secret: string }> {
    const { secret, prefix } = newApiKeySecret();
    const info: ApiKeyInfo = {
      id: randomUUID(),
      name: key.name,
      prefix,
      scopes: [...new Set(key.scopes)],
      createdAt: now,
      createdBy: key.createdBy ?? null,
      lastUsedAt: null,
      revokedAt: null,
    };
    this.keys.set(prefix, { info, hash: hashApiKey(secret) });
    return { info: { ...info }, secret };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return [...this.keys.values()].map(({ info }) => ({ ...info, scopes: [...info.scopes] })).sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const entry = [...this.keys.values()].find(({ info }) => info.id === id);
    if (!entry) return false;
    entry.info.revokedAt ??= now;
    return true;
  }

  async verify(presented: string, now: number): Promise<ApiPrincipal | null> {
    const prefix = prefixOf(presented);
    const entry = prefix ? this.keys.get(prefix) : undefined;
    if (!entry || entry.info.revokedAt !== null || !sameHash(entry.hash, hashApiKey(presented))) return null;
    if (entry.info.lastUsedAt === null || now - entry.info.lastUsedAt >= LAST_USED_RESOLUTION_MS) entry.info.lastUsedAt = now;
    return { keyId: entry.info.id, scopes: new Set(entry.info.scopes) };
  }
}
