import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in throttling by reservation: one row per subject (hash of an account, an address or the
 * pair) with its counted failures and the time until which it waits, updated under a row lock so
 * parallel attempts cannot all pass. Replaces the append-only attempt log, whose count-then-record
 * let a burst through and whose fixed window was a lockout lever.
 */
export class M004LoginThrottle extends Migration {
  override up(): void {
    this.addSql(`create table login_throttle (
      subject text primary key,
      failures integer not null,
      blocked_until timestamptz not null,
      updated_at timestamptz not null
    )`);
    this.addSql('create index login_throttle_updated_idx on login_throttle (updated_at)');
    this.addSql('drop table if exists login_attempt');
  }

  override down(): void {
    this.addSql('drop table if exists login_throttle');
  }
}
