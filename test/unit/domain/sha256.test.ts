import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/domain/model/sha256.js';

const nodeSha256 = (input: string) => createHash('sha256').update(input, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('matches the published test vector when the input is %j', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('matches node:crypto when the input is non-ASCII', () => {
    const input = 'Grüße aus Köln 👋 日本語 \u0000 end';
    expect(sha256Hex(input)).toBe(nodeSha256(input));
  });

  it('matches node:crypto when the input length crosses the padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const input = 'é'.repeat(length % 3) + 'a'.repeat(length);
      expect([length, sha256Hex(input)]).toEqual([length, nodeSha256(input)]);
    }
  });
});
