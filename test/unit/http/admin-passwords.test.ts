import { describe, expect, it } from 'vitest';
import { argon2Sync } from 'node:crypto';
import { DEFAULT_ARGON2, hashPassword, hashScryptPassword, needsRehash, verifyPassword } from '../../../src/http/admin/passwords.js';

describe('admin passwords', () => {
  it('verifies the password a hash was made from, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores argon2id with the OWASP parameters (m=19456 KiB, t=2, p=1) in PHC format and a random salt, never the password', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(DEFAULT_ARGON2).toEqual({ memory: 19_456, passes: 2, parallelism: 1 });
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('writes the hash any argon2id implementation computes from the stored salt and parameters', async () => {
    const stored = await hashPassword('interoperable password');
    const [, , , , salt, hash] = stored.split('$');
    const expected = argon2Sync('argon2id', { message: 'interoperable password', nonce: Buffer.from(salt!, 'base64'), memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 });
    expect(Buffer.from(hash!, 'base64').equals(expected)).toBe(true);
  });

  it('verifies with the parameters stored in the hash', async () => {
    const cheap = await hashPassword('pw', { memory: 1024, passes: 1, parallelism: 1 });
    expect(cheap.startsWith('$argon2id$v=19$m=1024,t=1,p=1$')).toBe(true);
    expect(await verifyPassword('pw', cheap)).toBe(true);
    expect(await verifyPassword('px', cheap)).toBe(false);
  });

  it('still verifies a legacy scrypt hash, and says it needs a rehash', async () => {
    const legacy = await hashScryptPassword('old password', { N: 2 ** 10, r: 8, p: 1 });
    expect(await verifyPassword('old password', legacy)).toBe(true);
    expect(await verifyPassword('old passwort', legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });

  it('asks for a rehash of argon2id at other costs only', async () => {
    expect(needsRehash(await hashPassword('pw'))).toBe(false);
    expect(needsRehash(await hashPassword('pw', { memory: 1024, passes: 1, parallelism: 1 }))).toBe(true);
  });

  it('treats the same text in another Unicode normal form as the same password', async () => {
    const stored = await hashPassword('Ame\u0301lie');
    expect(await verifyPassword('Am\u00e9lie', stored)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$10$abc'],
    ['a cost that is not a power of two', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['an excessive cost', `scrypt$${2 ** 24}$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`],
    ['a missing hash', 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$'],
    ['argon2i instead of argon2id', '$argon2i$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['an excessive argon2 memory', '$argon2id$v=19$m=9999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('rejects a malformed stored hash (%s)', async (_case, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});
