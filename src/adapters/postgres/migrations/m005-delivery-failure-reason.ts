import { Migration } from '@mikro-orm/migrations';

/**
 * A failed delivery status carries the failure's reason (e.g. `outside_service_window` when Meta
 * reports the closed 24 h window late): such statuses count among the summary's failures. The
 * partial index keeps that read to the few failed rows of the range.
 */
export class M005DeliveryFailureReason extends Migration {
  override up(): void {
    this.addSql('alter table delivery_status add column failure_reason text');
    this.addSql('create index delivery_status_failure_idx on delivery_status (occurred_at) where failure_reason is not null');
  }

  override down(): void {
    this.addSql('drop index if exists delivery_status_failure_idx');
    this.addSql('alter table delivery_status drop column if exists failure_reason');
  }
}
