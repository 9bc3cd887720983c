import { randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX_PATTERN = /^(vk_[A-Za-z0-9_-]{8})\.[A-Za-z0-9_-]{43}$/;

/** A new key `vk_<8 chars>.<32 random bytes, base64url>`; the part before the dot is its prefix. */
export function newApiKeySecret(): { secret: string; prefix: string } {
  const prefix = `vk_${randomBytes(6).toString('base64url')}`;
  return { secret: `${prefix}.${randomBytes(32).toString('base64url')}`, prefix };
}

/** The prefix of a well-formed key, or null: anything else is rejected before any lookup. */
export function prefixOf(presented: string): string | null {
  return PREFIX_PATTERN.exec(presented)?.[1] ?? null;
}

export const sameHash = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Last-use times are written at most this often per key, so verification stays read-mostly. */
export const LAST_USED_RESOLUTION_MS = 60_000;
