import type { DeliveryState, DeliveryStatus } from './delivery-status.js';

/** What Meta reports of a message's price in each of its statuses (`pricing`). */
export interface StatusPricing {
  /** Deprecated by Meta since per-message pricing; `type` says whether it is charged. */
  billable?: boolean;
  /** `PMP` (per-message pricing) or the older `CBP`. */
  model?: string;
  /** marketing, utility, authentication, authentication_international, marketing_lite, service, … */
  category?: string;
  /** `regular` (charged), `free_customer_service` or `free_entry_point`. */
  type?: string;
}

/**
 * USD per delivered message by market and pricing category, as the operator's rate card says.
 * The market of a recipient is found by its country calling code, the longest prefix listed.
 */
export interface RateCard {
  currency: 'USD';
  /** Epoch ms from which these rates apply. */
  effectiveFrom: number;
  /** Calling code (digits, no `+`) → market id. */
  callingCodes: Readonly<Record<string, string>>;
  /** The market of a number no calling code matches. */
  fallbackMarket: string;
  /** Market id → category → USD per delivered message. */
  markets: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** What one delivered, charged message cost. Recorded once per outbound message, however many statuses report it. */
export interface WhatsAppCharge {
  category: string;
  market: string;
  /** Null when the rate card has no rate for the market and category: counted, not priced. */
  usd: number | null;
}

/** Statuses that mean the message reached the phone: Meta charges on delivery, and `read` may come without `delivered`. */
const REACHED: ReadonlySet<DeliveryState> = new Set(['delivered', 'read', 'played']);

// Categories Meta bills at another category's rate when a card lists no rate of their own.
const PRICED_AS: Readonly<Record<string, string>> = { marketing_lite: 'marketing', authentication_international: 'authentication' };

/** Service messages are free since November 2024, unless a card says otherwise. */
const FREE_CATEGORIES: ReadonlySet<string> = new Set(['service']);

const MAX_CALLING_CODE_DIGITS = 4;

/** The market of a phone number (digits, with or without `+`): the longest calling code of the card that starts it. */
export function marketOf(phone: string, card: RateCard): string {
  const digits = phone.replace(/\D/g, '');
  for (let length = Math.min(MAX_CALLING_CODE_DIGITS, digits.length); length > 0; length--) {
    const market = card.callingCodes[digits.slice(0, length)];
    if (market) return market;
  }
  return card.fallbackMarket;
}

/**
 * What a status says we were charged, or undefined when it charges nothing: only a WhatsApp status
 * saying the message reached the phone, for a message Meta prices (`type: regular`, or `billable`
 * from senders of the older model). The same charge comes with every later status of the message;
 * the analytics store keeps the first it sees per outbound message.
 */
export function chargeOf(status: DeliveryStatus, card: RateCard): WhatsAppCharge | undefined {
  const pricing = status.pricing;
  if (status.channel !== 'whatsapp' || !pricing?.category || !REACHED.has(status.status)) return undefined;
  const charged = pricing.type !== undefined ? pricing.type === 'regular' : pricing.billable === true;
  if (!charged) return undefined;
  const market = marketOf(status.recipientId, card);
  const rates = card.markets[market] ?? {};
  const rate = rates[pricing.category] ?? rates[PRICED_AS[pricing.category] ?? ''] ?? (FREE_CATEGORIES.has(pricing.category) ? 0 : undefined);
  return { category: pricing.category, market, usd: rate ?? null };
}
