import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { parseRateCard, rateCardSetting, SHIPPED_RATE_CARD } from '../../../src/config/rate-card.js';

const dir = mkdtempSync(join(tmpdir(), 'rate-card-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const aCard = (overrides: Record<string, unknown> = {}) => ({
  currency: 'USD',
  effectiveFrom: '2026-01-01',
  fallbackMarket: 'other',
  markets: { DE: { name: 'Germany', marketing: 0.2 }, other: { marketing: 0.1 } },
  callingCodes: { '49': 'DE' },
  ...overrides,
});

const problemsOf = (setting: string): string[] => {
  const result = rateCardSetting(setting);
  return 'problems' in result ? result.problems : [];
};

describe('the WhatsApp rate card', () => {
  it('ships a card in US dollars with rates for every market its calling codes name', () => {
    expect(SHIPPED_RATE_CARD.currency).toBe('USD');
    expect(SHIPPED_RATE_CARD.effectiveFrom).toBe(Date.UTC(2025, 6, 1));
    for (const market of new Set([...Object.values(SHIPPED_RATE_CARD.callingCodes), SHIPPED_RATE_CARD.fallbackMarket])) {
      expect(SHIPPED_RATE_CARD.markets[market], market).toMatchObject({ marketing: expect.any(Number), utility: expect.any(Number), authentication: expect.any(Number) });
    }
    expect(SHIPPED_RATE_CARD.markets.DE).not.toHaveProperty('name');
  });

  it('is the shipped card when WHATSAPP_RATE_CARD is unset', () => {
    expect(rateCardSetting(undefined)).toEqual({ card: SHIPPED_RATE_CARD });
    expect(loadConfig({}).WHATSAPP_RATE_CARD).toBe(SHIPPED_RATE_CARD);
  });

  it("reads the operator's card inline or from a file", () => {
    const path = join(dir, 'card.json');
    writeFileSync(path, JSON.stringify(aCard()));
    for (const setting of [path, JSON.stringify(aCard())]) {
      expect(rateCardSetting(setting)).toEqual({
        card: { currency: 'USD', effectiveFrom: Date.UTC(2026, 0, 1), fallbackMarket: 'other', markets: { DE: { marketing: 0.2 }, other: { marketing: 0.1 } }, callingCodes: { '49': 'DE' } },
      });
    }
    expect(loadConfig({ WHATSAPP_RATE_CARD: path }).WHATSAPP_RATE_CARD.markets.DE).toEqual({ marketing: 0.2 });
  });

  it("takes the shipped calling codes when the operator's card gives none, and then needs their markets", () => {
    const { callingCodes: _codes, ...card } = aCard();
    expect(parseRateCard(card)).toEqual({ problems: [expect.stringMatching(/^markets: no rates for (?=.*north_america)(?=.*rest_of_africa)/)] });
    const full = { ...card, markets: Object.fromEntries(Object.keys(SHIPPED_RATE_CARD.markets).map((m) => [m, { marketing: 1 }])) };
    expect(parseRateCard(full)).toMatchObject({ card: { callingCodes: SHIPPED_RATE_CARD.callingCodes } });
  });

  it('lists every problem of a bad card', () => {
    expect(problemsOf(JSON.stringify(aCard({ currency: 'EUR', effectiveFrom: 'July', markets: { other: { marketing: -1, utility: 'cheap' } } })))).toEqual([
      'currency: must be "USD": costs are reported in US dollars',
      'effectiveFrom: must be a date like 2025-07-01',
      'markets.other.marketing: must not be negative',
      'markets.other.utility: must be a number (USD per delivered message)',
    ]);
    expect(problemsOf(JSON.stringify(aCard({ callingCodes: { '49': 'DE', '33': 'FR', '+44': 'GB' } })))).toEqual(['callingCodes.+44: calling codes are 1–4 digits']);
    expect(problemsOf(JSON.stringify(aCard({ callingCodes: { '33': 'FR' } })))).toEqual(['markets: no rates for FR (named by fallbackMarket or callingCodes)']);
    expect(problemsOf('{"currency":')).toEqual(['is not JSON']);
    expect(problemsOf(join(dir, 'missing.json'))).toEqual([`cannot read ${join(dir, 'missing.json')}: ENOENT`]);
  });

  it('stops the start with the card problems among the others', () => {
    let error: unknown;
    try {
      loadConfig({ WHATSAPP_RATE_CARD: JSON.stringify(aCard({ currency: 'EUR' })), LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.startsWith('WHATSAPP_RATE_CARD: currency: must be "USD"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL'))).toBe(true);
  });
});
