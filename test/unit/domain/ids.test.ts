import { describe, expect, it } from 'vitest';
import { conversationIdFor, isChannelMessageId, userKeyFor } from '../../../src/domain/model/ids.js';

describe('conversationIdFor', () => {
  const phone = '4915123456789';

  it('returns the same path-safe id when called twice with the same inputs', () => {
    const id = conversationIdFor('whatsapp', 'phone-1', phone);
    expect(conversationIdFor('whatsapp', 'phone-1', phone)).toBe(id);
    expect(id).toMatch(/^c_[0-9a-f]{40}$/);
  });

  it('differs when the channel, the account or the participant differs', () => {
    const ids = [
      conversationIdFor('whatsapp', 'phone-1', phone),
      conversationIdFor('api', 'phone-1', phone),
      conversationIdFor('whatsapp', 'phone-2', phone),
      conversationIdFor('whatsapp', 'phone-1', '4915123456780'),
      // The separator keeps ("ab", "c") and ("a", "bc") apart.
      conversationIdFor('whatsapp', 'phone-1a', 'b'),
      conversationIdFor('whatsapp', 'phone-1', 'ab'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not contain the participant id when the id is shown in logs', () => {
    const id = conversationIdFor('whatsapp', 'phone-1', phone);
    expect(id).not.toContain(phone);
    expect(id).not.toContain(phone.slice(-6));
  });
});

describe('userKeyFor', () => {
  it('returns a stable pseudonymous key distinct from the conversation id when called for a participant', () => {
    const key = userKeyFor('whatsapp', 'phone-1', '4915123456789');
    expect(userKeyFor('whatsapp', 'phone-1', '4915123456789')).toBe(key);
    expect(key).toMatch(/^u_[0-9a-f]{40}$/);
    expect(key.slice(2)).not.toBe(conversationIdFor('whatsapp', 'phone-1', '4915123456789').slice(2));
    expect(userKeyFor('api', 'phone-1', '4915123456789')).not.toBe(key);
  });
});

describe('isChannelMessageId', () => {
  it.each([
    ['a wamid', 'wamid.HBgLMTU1NTAwMDExMTEVAgASGBQzQTg5QjY1RjBBMDNBQzZFMUQ2RgA='],
    ['a Standard Webhooks id', 'msg_p5jXN8AQM9LWM0D4loKWxJek'],
    ['one character', 'x'],
    ['256 printable characters', '!~'.repeat(128)],
  ])('accepts %s', (_, id) => {
    expect(isChannelMessageId(id)).toBe(true);
  });

  it.each([
    ['an empty id', ''],
    ['257 characters', 'x'.repeat(257)],
    ['a space', 'msg 1'],
    ['a tab', 'msg\t1'],
    ['DEL', 'msg\u007f'],
    ['a non-ASCII letter', 'msg_é'],
    ['an emoji', 'msg_😀'],
  ])('refuses %s', (_, id) => {
    expect(isChannelMessageId(id)).toBe(false);
  });
});
