import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../../../src/http/admin/passwords.js';

describe('admin passwords', () => {
  it('verifies the password a hash was made from, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores scrypt with its parameters and a random salt, never the password', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(a).toMatch(new RegExp(`^scrypt\\$${DEFAULT_SCRYPT.N}\\$8\\$1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('verifies with the parameters stored in the hash', async () => {
    const cheap = await hashPassword('pw', { N: 2 ** 10, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('pw', cheap)).toBe(true);
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
  ])('rejects a malformed stored hash (%s)', async (_case, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});
