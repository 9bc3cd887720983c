import { Migration } from '@mikro-orm/migrations';

/**
 * What WhatsApp charged: one row per delivered, charged message (the first status that says it
 * reached the phone), so a charge reported by `delivered` and again by `read` counts once. The
 * statuses keep all of Meta's `pricing` object.
 */
export class M009WhatsAppCharges extends Migration {
  override up(): void {
    this.addSql('alter table delivery_status add column pricing_type text, add column pricing_model text, add column billable boolean');
    this.addSql(`create table whatsapp_charge (
      channel text not null,
      outbound_id text not null,
      occurred_at timestamptz not null,
      account_id text not null,
      conversation_id text collate "C" not null,
      user_key text not null,
      category text not null,
      market text not null,
      usd double precision,
      primary key (channel, outbound_id)
    )`);
    this.addSql('create index whatsapp_charge_occurred_at_idx on whatsapp_charge (occurred_at)');
    this.addSql('create index whatsapp_charge_conversation_idx on whatsapp_charge (conversation_id, occurred_at)');
    this.addSql('create index whatsapp_charge_user_key_idx on whatsapp_charge (user_key)');
  }

  override down(): void {
    this.addSql('drop table if exists whatsapp_charge');
    this.addSql('alter table delivery_status drop column if exists billable, drop column if exists pricing_model, drop column if exists pricing_type');
  }
}
