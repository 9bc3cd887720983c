import { timingSafeEqual } from 'node:crypto';
import { hashApiKey, SCOPES, type ApiPrincipal, type Scope } from '../../domain/model/api-key.js';
import type { ApiKeyStore } from '../../domain/ports/api-key-store.js';
import type { Clock } from '../../domain/ports/clock.js';

export { hashApiKey, SCOPES, type ApiPrincipal, type Scope };

/** Resolves a presented bearer key to who it belongs to, or null. */
export interface ApiKeyVerifier {
  verify(presentedKey: string): Promise<ApiPrincipal | null>;
}

export interface HashedKey {
  keyId: string;
  hash: Buffer;
  scopes: readonly Scope[];
}

/** Keys known only by their SHA-256 (the bootstrap key among them); compared in constant time. */
export class HashedApiKeyVerifier implements ApiKeyVerifier {
  constructor(private readonly keys: readonly HashedKey[]) {}

  async verify(presentedKey: string): Promise<ApiPrincipal | null> {
    const presented = hashApiKey(presentedKey);
    let match: HashedKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(presented, key.hash)) match = key;
    return match ? { keyId: match.keyId, scopes: new Set(match.scopes) } : null;
  }
}

/** The bootstrap key (every scope, from configuration) and the keys of the store. */
export class StoredApiKeyVerifier implements ApiKeyVerifier {
  private readonly bootstrap: HashedApiKeyVerifier;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    bootstrapKey?: string,
  ) {
    this.bootstrap = new HashedApiKeyVerifier(bootstrapKey ? [{ keyId: 'bootstrap', hash: hashApiKey(bootstrapKey), scopes: SCOPES }] : []);
  }

  async verify(presentedKey: string): Promise<ApiPrincipal | null> {
    if (presentedKey.length > 256) return null;
    return (await this.bootstrap.verify(presentedKey)) ?? this.store.verify(presentedKey, this.clock.now());
  }
}
