import { describe, expect, it } from 'vitest';
import { SHIPPED_RATE_CARD } from '../../../src/config/rate-card.js';
import type { DeliveryState, DeliveryStatus } from '../../../src/domain/model/delivery-status.js';
import { chargeOf, marketOf, type RateCard, type StatusPricing } from '../../../src/domain/model/whatsapp-pricing.js';

const card: RateCard = {
  currency: 'USD',
  effectiveFrom: Date.UTC(2025, 6, 1),
  callingCodes: { '1': 'north_america', '49': 'DE', '7': 'RU', '971': 'AE', '97': 'rest_of_middle_east' },
  fallbackMarket: 'other',
  markets: {
    north_america: { marketing: 0.025, utility: 0.0034, authentication: 0.0034 },
    DE: { marketing: 0.1365, utility: 0.055, authentication: 0.055, authentication_international: 0.09 },
    RU: { marketing: 0.0802 },
    AE: { marketing: 0.0384 },
    rest_of_middle_east: { marketing: 0.0341 },
    other: { marketing: 0.0604, utility: 0.0077, authentication: 0.0077 },
  },
};

const statusOf = (status: DeliveryState, pricing?: StatusPricing, recipientId = '4917012345678'): DeliveryStatus => ({
  outboundId: 'wamid.1',
  channel: 'whatsapp',
  accountId: 'acct',
  conversationId: 'c_1',
  recipientId,
  status,
  at: Date.UTC(2026, 0, 1),
  ...(pricing ? { pricing } : {}),
});

const regular = (category: string): StatusPricing => ({ model: 'PMP', category, type: 'regular' });

describe('marketOf', () => {
  it.each([
    ['4917012345678', 'DE'],
    ['+1 415 555 0100', 'north_america'],
    ['79161234567', 'RU'],
    ['971501234567', 'AE'],
    ['97312345678', 'rest_of_middle_east'],
    ['9991234', 'other'],
    ['', 'other'],
  ])('puts %s in %s by the longest calling code the card lists', (phone, market) => {
    expect(marketOf(phone, card)).toBe(market);
  });

  it('knows the main markets in the shipped card', () => {
    expect(['4917012345678', '5511987654321', '919876543210', '14155550100', '447700900123', '6281234567890', '2348012345678'].map((p) => marketOf(p, SHIPPED_RATE_CARD))).toEqual([
      'DE', 'BR', 'IN', 'north_america', 'GB', 'ID', 'NG',
    ]);
    expect(marketOf('43664123456', SHIPPED_RATE_CARD)).toBe('rest_of_western_europe');
    expect(marketOf('8801712345678', SHIPPED_RATE_CARD)).toBe('rest_of_asia_pacific');
  });
});

describe('chargeOf', () => {
  it.each([
    ['marketing', 0.1365],
    ['utility', 0.055],
    ['authentication', 0.055],
    ['authentication_international', 0.09],
  ])('prices a delivered %s template at the market rate', (category, usd) => {
    expect(chargeOf(statusOf('delivered', regular(category)), card)).toEqual({ category, market: 'DE', usd });
  });

  it('prices categories without a rate of their own at the rate Meta bills them at', () => {
    expect(chargeOf(statusOf('delivered', regular('marketing_lite')), card)?.usd).toBe(0.1365);
    expect(chargeOf(statusOf('delivered', regular('authentication_international'), '14155550100'), card)?.usd).toBe(0.0034);
  });

  it('charges when the message reached the phone, whichever status says so first', () => {
    for (const status of ['delivered', 'read', 'played'] as const) expect(chargeOf(statusOf(status, regular('marketing')), card)?.usd).toBe(0.1365);
    for (const status of ['sent', 'failed'] as const) expect(chargeOf(statusOf(status, regular('marketing')), card)).toBeUndefined();
  });

  it('charges nothing for free messages: a customer-service or free-entry-point type, or not billable', () => {
    expect(chargeOf(statusOf('delivered', { model: 'PMP', category: 'utility', type: 'free_customer_service' }), card)).toBeUndefined();
    expect(chargeOf(statusOf('delivered', { model: 'PMP', category: 'marketing', type: 'free_entry_point' }), card)).toBeUndefined();
    expect(chargeOf(statusOf('delivered', { billable: false, category: 'marketing' }), card)).toBeUndefined();
    expect(chargeOf(statusOf('delivered'), card)).toBeUndefined();
  });

  it('follows the type over the deprecated billable flag, and billable when no type is given', () => {
    expect(chargeOf(statusOf('delivered', { billable: false, category: 'marketing', type: 'regular' }), card)?.usd).toBe(0.1365);
    expect(chargeOf(statusOf('delivered', { billable: true, category: 'marketing', type: 'free_customer_service' }), card)).toBeUndefined();
    expect(chargeOf(statusOf('delivered', { billable: true, category: 'utility' }), card)?.usd).toBe(0.055);
  });

  it('counts a charge the card has no rate for without pricing it, and a service message as free', () => {
    expect(chargeOf(statusOf('delivered', regular('utility'), '79161234567'), card)).toEqual({ category: 'utility', market: 'RU', usd: null });
    expect(chargeOf(statusOf('delivered', { billable: true, category: 'service' }), card)).toEqual({ category: 'service', market: 'DE', usd: 0 });
  });

  it('charges nothing on the API channel', () => {
    expect(chargeOf({ ...statusOf('delivered', regular('marketing')), channel: 'api' }, card)).toBeUndefined();
  });
});
