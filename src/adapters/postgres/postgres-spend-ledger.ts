import type { MikroORM } from '@mikro-orm/postgresql';
import type { SpendLedger, SpendReservation, SpendSettlement } from '../../domain/ports/spend-ledger.js';
import { jsonb, query, writtenNow } from './postgres-chat-sql.js';
import { sql, type Sql } from './sql-fragment.js';

/**
 * The channel's spend of one day is one row `(account_id, day)`: `usd` settled and `reservations`
 * `{key: {usd, until}}`. A reservation is one INSERT … ON CONFLICT DO UPDATE … WHERE: PostgreSQL
 * locks the day's row and checks the cap against its latest version, so two generations racing
 * for the last share cannot both get it; expired reservations are dropped in the same write.
 */
export class PostgresSpendLedger implements SpendLedger {
  constructor(private readonly orm: MikroORM) {}

  async reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    const { key, usd, until } = reservation;
    const share = jsonb({ [key]: { usd, until } });
    // Live reservations of the stored row other than `key`, and their sum.
    const live = sql`(select coalesce(jsonb_object_agg(held.key, held.value), '{}'::jsonb) from jsonb_each(s.reservations) as held
      where held.key <> ${key} and (held.value->>'until')::float8 > ${now})`;
    const committed = sql`(s.usd + (select coalesce(sum((held.value->>'usd')::float8), 0) from jsonb_each(s.reservations) as held
      where held.key <> ${key} and (held.value->>'until')::float8 > ${now}))`;
    const rows = await query<{ reserved: number }>(
      this.orm,
      'reserveSpend',
      sql`insert into chat_spend as s (account_id, day, usd, reservations, written_at)
        select ${accountId}, ${day}, 0, ${share}::jsonb, ${writtenNow()} where 0 < ${capUsd}::float8 and ${usd}::float8 <= ${capUsd}::float8
        on conflict (account_id, day) do update set reservations = ${live} || excluded.reservations, written_at = excluded.written_at
        where ${committed} < ${capUsd}::float8 and ${committed} + ${usd}::float8 <= ${capUsd}::float8
        returning 1 as reserved`,
    );
    return rows.length === 1;
  }

  /** Drops the reservation and adds what was really spent in one statement (no read). */
  async settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    await query(
      this.orm,
      'settleSpend',
      sql`insert into chat_spend as s (account_id, day, usd, reservations, written_at) values (${accountId}, ${day}, ${usd}, '{}'::jsonb, ${writtenNow()})
        ${settledOnConflict(key)}`,
    );
  }

  /**
   * `settleSpend` as a step `settled` of a message transition's statement: it inserts only for the
   * row `updated` returned, so it is written with the transition or not at all.
   */
  static settledWith({ accountId, day, key, usd }: SpendSettlement): Sql {
    return sql`settled as (
      insert into chat_spend as s (account_id, day, usd, reservations, written_at)
      select ${accountId}::text, ${day}::text, ${usd}::float8, '{}'::jsonb, u.written_at from updated as u
      ${settledOnConflict(key)}
    )`;
  }

  async spendOf(accountId: string, day: string): Promise<number> {
    const [row] = await query<{ usd: number }>(this.orm, 'spendOf', sql`select usd from chat_spend where account_id = ${accountId} and day = ${day}`);
    return row ? Number(row.usd) : 0;
  }
}

/** The day's row gains `usd` and loses the reservation `key`. */
const settledOnConflict = (key: string): Sql =>
  sql`on conflict (account_id, day) do update set usd = s.usd + excluded.usd, reservations = s.reservations - ${key}::text, written_at = excluded.written_at`;
