import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { hashApiKey, SCOPES, type ApiKeyInfo, type ApiPrincipal, type NewApiKey, type Scope } from '../../domain/model/api-key.js';
import type { ApiKeyStore } from '../../domain/ports/api-key-store.js';
import { LAST_USED_RESOLUTION_MS, newApiKeySecret, prefixOf, sameHash } from '../api-key-secrets.js';
import { entityManager } from './database.js';
import { ApiKey } from './entities.js';

/** API keys in PostgreSQL: prefix (unique, for lookup) and SHA-256 of the whole key, never the key. */
export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly orm: MikroORM) {}

  async create(key: NewApiKey, now: number): Promise<{ info: ApiKeyInfo; secret: string }> {
    const { secret, prefix } = newApiKeySecret();
    const em = entityManager(this.orm);
    const row = em.create(ApiKey, {
      id: randomUUID(),
      name: key.name,
      prefix,
      hash: hashApiKey(secret),
      scopes: [...new Set(key.scopes)],
      createdAt: new Date(now),
      createdBy: key.createdBy ?? null,
      lastUsedAt: null,
      revokedAt: null,
    });
    await em.flush();
    return { info: infoOf(row), secret };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await entityManager(this.orm).find(ApiKey, {}, { orderBy: { createdAt: 'desc', id: 'asc' } });
    return rows.map(infoOf);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const em = entityManager(this.orm);
    const found = await em.nativeUpdate(ApiKey, { id, revokedAt: null }, { revokedAt: new Date(now) });
    return found > 0 || (await em.count(ApiKey, { id })) > 0;
  }

  async verify(presented: string, now: number): Promise<ApiPrincipal | null> {
    const prefix = prefixOf(presented);
    if (!prefix) return null;
    const em = entityManager(this.orm);
    const row = await em.findOne(ApiKey, { prefix }, { disableIdentityMap: true });
    if (!row || row.revokedAt !== null || !sameHash(Buffer.from(row.hash), hashApiKey(presented))) return null;
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await em.nativeUpdate(ApiKey, { id: row.id }, { lastUsedAt: new Date(now) });
    }
    return { keyId: row.id, scopes: new Set(scopesOf(row.scopes)) };
  }
}

function infoOf(row: ApiKey): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: scopesOf(row.scopes),
    createdAt: row.createdAt.getTime(),
    createdBy: row.createdBy ?? null,
    lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    revokedAt: row.revokedAt?.getTime() ?? null,
  };
}

/** Unknown scope names in the database grant nothing. */
const scopesOf = (stored: readonly string[]): Scope[] => stored.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
