import { argon2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Argon2id cost, in the units of Node's `crypto.argon2`: memory in KiB, passes, lanes. */
export interface Argon2Params {
  memory: number;
  passes: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1. */
export const DEFAULT_ARGON2: Argon2Params = { memory: 19_456, passes: 2, parallelism: 1 };

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Stored parameters above these are refused rather than computed (a corrupted row must not stall the server). */
const MAX_N = 2 ** 20;
const MAX_RP = 16;
const MAX_MEMORY_KIB = 256 * 1024;
const MAX_PASSES = 10;

// PHC string format, as argon2 libraries write it: unpadded standard base64.
const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

function deriveArgon2(password: string, salt: Buffer, { memory, passes, parallelism }: Argon2Params, length = KEY_LENGTH): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2('argon2id', { message: password.normalize('NFKC'), nonce: salt, memory, passes, parallelism, tagLength: length }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function deriveScrypt(password: string, salt: Buffer, { N, r, p }: ScryptParams, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` (PHC format) with a fresh random salt. */
export async function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await deriveArgon2(password, salt, params);
  return `$argon2id$v=19$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

/** `scrypt$N$r$p$<salt>$<hash>`, the format before argon2id: still verified, rehashed at the next sign-in. */
export async function hashScryptPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await deriveScrypt(password, salt, params, KEY_LENGTH);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when `password` matches `stored` (argon2id or legacy scrypt); false for a wrong password or a malformed hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const argon = parseArgon2(stored);
  if (argon) return sameBytes(await deriveArgon2(password, argon.salt, argon.params, argon.hash.length), argon.hash);
  const legacy = parseScrypt(stored);
  if (legacy) return sameBytes(await deriveScrypt(password, legacy.salt, legacy.params, legacy.hash.length), legacy.hash);
  return false;
}

/** True when `stored` is not argon2id at `params` (legacy scrypt, or older costs): rehash after the next verified sign-in. */
export function needsRehash(stored: string, params: Argon2Params = DEFAULT_ARGON2): boolean {
  const argon = parseArgon2(stored);
  return !argon || argon.params.memory !== params.memory || argon.params.passes !== params.passes || argon.params.parallelism !== params.parallelism;
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

function parseArgon2(stored: string): { params: Argon2Params; salt: Buffer; hash: Buffer } | null {
  const match = PHC.exec(stored);
  if (!match) return null;
  const [memory, passes, parallelism] = match.slice(1, 4).map(Number) as [number, number, number];
  // Node's own bounds (memory ≥ 8·p KiB) and ours against corrupted rows.
  if (parallelism < 1 || parallelism > MAX_RP || passes < 1 || passes > MAX_PASSES || memory < 8 * parallelism || memory > MAX_MEMORY_KIB) return null;
  const salt = Buffer.from(match[4]!, 'base64');
  const hash = Buffer.from(match[5]!, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { params: { memory, passes, parallelism }, salt, hash };
}

function parseScrypt(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !Number.isInteger(r) || !Number.isInteger(p) || r < 1 || p < 1 || r > MAX_RP || p > MAX_RP) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const hash = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { params: { N, r, p }, salt, hash };
}

/** A hash of a random password: verifying against it costs as much as a real check (unknown e-mails). */
export const decoyHash = (params: Argon2Params = DEFAULT_ARGON2): Promise<string> => hashPassword(randomBytes(16).toString('base64url'), params);
