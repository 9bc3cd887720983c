import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/adapters/secret-manager/crc32c.js';

const bytes = (values: number[]) => Uint8Array.from(values);
const range = (length: number, at: (i: number) => number) => Array.from({ length }, (_, i) => at(i));

describe('crc32c', () => {
  it('gives the standard check value when the input is "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 when the input is empty', () => {
    expect(crc32c(new Uint8Array())).toBe(0);
  });

  // RFC 3720 (iSCSI) appendix B.4; the RFC lists the CRC bytes least significant first.
  it.each([
    ['32 bytes of zeros', range(32, () => 0x00), 0x8a9136aa],
    ['32 bytes of 0xFF', range(32, () => 0xff), 0x62a8ab43],
    ['32 incrementing bytes', range(32, (i) => i), 0x46dd794e],
    ['32 decrementing bytes', range(32, (i) => 31 - i), 0x113fdb5c],
    [
      'an iSCSI read command PDU',
      [
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      ],
      0xd9963a56,
    ],
  ])('matches RFC 3720 when the input is %s', (_label, input, expected) => {
    expect(crc32c(bytes(input))).toBe(expected);
  });

  it('continues a checksum when the data arrives in pieces', () => {
    const whole = new TextEncoder().encode('héllo, wörld — ✓');
    expect(crc32c(whole.subarray(7), crc32c(whole.subarray(0, 7)))).toBe(crc32c(whole));
  });

  it('returns an unsigned 32-bit number when the top bit is set', () => {
    const value = crc32c(new TextEncoder().encode('123456789'));
    expect(value).toBeGreaterThan(0x7fffffff);
    expect(Number.isInteger(value)).toBe(true);
  });
});
