import { Migration } from '@mikro-orm/migrations';

/**
 * Who was erased and when: a late redelivery of an event about an erased user (Pub/Sub delivers
 * at least once) must not bring their facts back. Holds only the pseudonymous user key.
 */
export class M002ErasedUser extends Migration {
  override up(): void {
    this.addSql('create table erased_user (user_key text primary key, erased_at timestamptz not null)');
  }

  override down(): void {
    this.addSql('drop table if exists erased_user');
  }
}
