import { createHash } from 'node:crypto';

/** The only form in which an API key is kept (stores, the bootstrap key): its SHA-256. */
export const hashApiKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** `conversations:write`: take conversations over, reply as an agent, hand them back (human handoff). */
export const SCOPES = ['analytics:read', 'conversations:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The key's first characters (`vk_xxxxxxxx`), enough to recognise it, useless to use it. */
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ApiPrincipal {
  keyId: string;
  scopes: ReadonlySet<Scope>;
}

export interface NewApiKey {
  name: string;
  scopes: Scope[];
  createdBy?: string;
}
