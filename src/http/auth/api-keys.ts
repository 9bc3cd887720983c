import { createHash, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['analytics:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiPrincipal {
  keyId: string;
  scopes: ReadonlySet<Scope>;
}

/** Resolves a presented bearer key to who it belongs to, or null. */
export interface ApiKeyVerifier {
  verify(presentedKey: string): Promise<ApiPrincipal | null>;
}

export const hashApiKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

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
