import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RateCard } from '../domain/model/whatsapp-pricing.js';
import shipped from './whatsapp-rate-card.json' with { type: 'json' };

const rate = z.number({ error: 'must be a number (USD per delivered message)' }).min(0, 'must not be negative');

/** The file's shape: `markets` name each market and give USD per category; `callingCodes` default to the shipped card's. */
const fileSchema = z.object({
  currency: z.literal('USD', { error: 'must be "USD": costs are reported in US dollars' }),
  effectiveFrom: z.iso.date({ error: 'must be a date like 2025-07-01' }),
  source: z.string().optional(),
  fallbackMarket: z.string().min(1),
  markets: z.record(z.string().min(1), z.object({ name: z.string().optional() }).catchall(rate)),
  callingCodes: z
    .record(z.string(), z.string().min(1))
    .superRefine((codes, ctx) => {
      for (const code of Object.keys(codes)) if (!/^\d{1,4}$/.test(code)) ctx.addIssue({ code: 'custom', path: [code], message: 'calling codes are 1–4 digits' });
    })
    .optional(),
});

/** A rate card from its JSON, or every problem with it. */
export function parseRateCard(json: unknown): { card: RateCard } | { problems: string[] } {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'card'}: ${issue.message}`) };
  const file = parsed.data;
  const callingCodes = file.callingCodes ?? shipped.callingCodes;
  const markets = Object.fromEntries(Object.entries(file.markets).map(([id, { name: _name, ...rates }]) => [id, rates as Record<string, number>]));
  const unknown = [file.fallbackMarket, ...Object.values(callingCodes)].filter((market, i, all) => !(market in markets) && all.indexOf(market) === i);
  if (unknown.length > 0) return { problems: [`markets: no rates for ${unknown.join(', ')} (named by fallbackMarket or callingCodes)`] };
  return { card: { currency: 'USD', effectiveFrom: Date.parse(`${file.effectiveFrom}T00:00:00Z`), callingCodes, fallbackMarket: file.fallbackMarket, markets } };
}

/** The card shipped with this version: Meta's list rates as of its effective date. */
export const SHIPPED_RATE_CARD: RateCard = cardOrThrow(shipped);

/**
 * WHATSAPP_RATE_CARD: inline JSON (starting with `{`) or the path of a JSON file; unset, the shipped card.
 * Answers the card or the problems to list at start.
 */
export function rateCardSetting(setting: string | undefined): { card: RateCard } | { problems: string[] } {
  if (setting === undefined) return { card: SHIPPED_RATE_CARD };
  let text = setting;
  if (!setting.trimStart().startsWith('{')) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch (error) {
      return { problems: [`cannot read ${setting}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`] };
    }
  }
  try {
    return parseRateCard(JSON.parse(text));
  } catch {
    return { problems: ['is not JSON'] };
  }
}

function cardOrThrow(json: unknown): RateCard {
  const result = parseRateCard(json);
  if ('problems' in result) throw new Error(`the shipped WhatsApp rate card is invalid: ${result.problems.join('; ')}`);
  return result.card;
}
