import type { ApiKeyInfo, ApiPrincipal, NewApiKey } from '../model/api-key.js';

/**
 * API keys for the analytics API. A key is shown once, at creation; the store keeps only its
 * prefix and a hash, so a database read never yields a usable key.
 */
export interface ApiKeyStore {
  /** Creates a key; `secret` is the whole key, returned this once and never stored. */
  create(key: NewApiKey, now: number): Promise<{ info: ApiKeyInfo; secret: string }>;
  /** Every key, newest first, revoked ones included. */
  list(): Promise<ApiKeyInfo[]>;
  /** Revokes the key; false when there is no such key (revoking twice is true). */
  revoke(id: string, now: number): Promise<boolean>;
  /** Who presents this key, or null for an unknown or revoked key. Records the use time. */
  verify(presented: string, now: number): Promise<ApiPrincipal | null>;
}
