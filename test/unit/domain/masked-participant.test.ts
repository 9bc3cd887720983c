import { describe, expect, it } from 'vitest';
import { maskedParticipant } from '../../../src/domain/model/masked-participant.js';

describe('maskedParticipant', () => {
  it.each([
    ['4917012344567', '+49 170 •••• 4567'],
    ['+1 415 555 0100', '+1 415 •••• 0100'],
    ['79161234567', '+7 916 •••• 4567'],
    ['971501234567', '+971 501 •••• 4567'],
    ['5511987654321', '+55 119 •••• 4321'],
    ['3531234', '+353 •••• 34'],
    ['491', '+49 ••••'],
  ])('shows the WhatsApp number %s as %s', (number, masked) => {
    expect(maskedParticipant('whatsapp', number)).toBe(masked);
  });

  it('never shows a whole number, whatever its length', () => {
    for (let length = 1; length <= 15; length++) {
      const number = '4917012344567890'.slice(0, length);
      const shown = maskedParticipant('whatsapp', number).replace(/\D/g, '');
      expect(shown.length, number).toBeLessThan(Math.max(number.length, 1));
    }
  });

  it.each([
    ['customer-4711', 'cu••••11'],
    ['ada@example.org', 'ad••••rg'],
    ['u-12', '••••'],
    ['😀😀😀😀😀😀😀😀', '😀😀••••😀😀'],
  ])('shows the API user %s as %s', (id, masked) => {
    expect(maskedParticipant('api', id)).toBe(masked);
  });
});
