import { describe, expect, it } from 'vitest';
import { advancesDelivery, type DeliveryState } from '../../../src/domain/model/delivery-status.js';

const ORDER: DeliveryState[] = ['sent', 'delivered', 'read', 'played', 'failed'];

describe('advancesDelivery', () => {
  it('accepts any status when nothing is stored yet', () => {
    for (const next of ORDER) expect(advancesDelivery(undefined, next)).toBe(true);
  });

  it('accepts only later statuses when one is stored', () => {
    for (const [i, current] of ORDER.entries()) {
      for (const [j, next] of ORDER.entries()) expect([current, next, advancesDelivery(current, next)]).toEqual([current, next, j > i]);
    }
  });

  it('refuses delivered, sent and a repeated read when read is stored', () => {
    expect(advancesDelivery('read', 'delivered')).toBe(false);
    expect(advancesDelivery('read', 'sent')).toBe(false);
    expect(advancesDelivery('read', 'read')).toBe(false);
  });
});
