import { describe, expect, it } from 'vitest';
import { apiConversationIdFor, conversationIdFor, isChannelMessageId, toolCallIdFor, userKeyFor } from '../../../src/domain/model/ids.js';
import { canaryFor } from '../../../src/domain/model/output-guard.js';

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

describe('derived ids are stored, so they never change', () => {
  it('derives the ids it derived before for a phone number, a non-ASCII API user and a tool call', () => {
    expect(conversationIdFor('whatsapp', '106540352242922', '491701234567')).toBe('c_d8a65a62172be31aa5adeee3eb62cb5f67e3a7bd');
    expect(apiConversationIdFor('default', 'Zoë 🙂')).toBe('c_b37234f476127baca2f6874559423392eded4b10');
    expect(userKeyFor('whatsapp', '106540352242922', '491701234567')).toBe('u_b868c2d7edeaf1f7feb1c7621c9f3c820c476c88');
    expect(toolCallIdFor('c_x', 'wamid.1', 2)).toBe('tc_86f9af0d7d821fb2e3637744660d3235');
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

// Ids and canaries are stored (Firestore document ids, analytics keys): the SHA-256 behind them must
// never change. The expected values were computed outside the code, with `printf … | sha256sum`.
describe('derived ids', () => {
  it('keeps the published SHA-256 values of a conversation, a user key and a canary when derived again', () => {
    expect(conversationIdFor('whatsapp', '106540352242922', '4915123456789')).toBe('c_6da1f63849849447997e7e4b77881c0c2ce47747');
    expect(userKeyFor('whatsapp', '106540352242922', '4915123456789')).toBe('u_7406090cd05923216d693fcc07ce70cd673084fb');
    expect(apiConversationIdFor('client-7', 'anyone', 'ünïcødé 👋')).toBe('c_2e8a428451168daef006c65857f51d8557b433f1');
    expect(canaryFor('106540352242922', 'You are Acme support. Be brief.')).toBe('vc-bd472eacdec9ecba');
  });
});
