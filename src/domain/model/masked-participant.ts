import type { Channel } from './ids.js';

// ITU country calling codes: 1 and 7 have one digit, these have two, every other has three.
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58',
  '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

const MASK = '••••';

const callingCodeOf = (digits: string): string =>
  digits[0] === '1' || digits[0] === '7' ? digits.slice(0, 1) : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? digits.slice(0, 2) : digits.slice(0, 3);

/**
 * How the analytics show a participant without revealing them: a WhatsApp number keeps its
 * calling code, the next three digits and the last four (`+49 170 •••• 4567`); an API user id its
 * first two and last two characters. Short values keep less, never the whole.
 */
export function maskedParticipant(channel: Channel, participantId: string): string {
  if (channel === 'whatsapp') {
    const digits = participantId.replace(/\D/g, '');
    const code = callingCodeOf(digits);
    const rest = digits.slice(code.length);
    if (rest.length === 0) return MASK;
    if (rest.length >= 9) return `+${code} ${rest.slice(0, 3)} ${MASK} ${rest.slice(-4)}`;
    return rest.length >= 4 ? `+${code} ${MASK} ${rest.slice(-2)}` : `+${code} ${MASK}`;
  }
  const chars = [...participantId];
  return chars.length >= 8 ? `${chars.slice(0, 2).join('')}${MASK}${chars.slice(-2).join('')}` : MASK;
}
