import { DAY_MS, HOUR_MS } from '../analytics-store-support.js';
import { DAYS_PER_PERIOD } from './analytics-write-sql.js';
import { at, raw, sql, type Sql } from './sql-fragment.js';

// Each statement deletes (or changes) at most `limit` rows, picked by ctid, and returns one row
// per row it touched: a batch never holds many locks, and the caller repeats until none is left.
const bounded = (table: string, where: Sql, limit: number): Sql =>
  sql`delete from ${raw(table)} where ctid = any(array(select ctid from ${raw(table)} where ${where} limit ${limit})) returning 1`;

/**
 * The retention statements for one batch: facts before `cutoff`, and rollup rows of hours, days
 * and 64-day activity periods that end at or before it. In the activity period that straddles
 * the cutoff only the bits of the days before it are cleared (a row left without days goes).
 */
export function retentionSql(cutoff: number, limit: number): Sql[] {
  const lastHour = at(cutoff - HOUR_MS);
  const lastDay = at(cutoff - DAY_MS);
  const firstKeptDay = Math.floor(cutoff / DAY_MS);
  const straddling = Math.floor(firstKeptDay / DAYS_PER_PERIOD);
  const statements = [
    bounded('interaction', sql`received_at < ${at(cutoff)}`, limit),
    bounded('delivery_status', sql`occurred_at < ${at(cutoff)}`, limit),
    bounded('whatsapp_charge', sql`occurred_at < ${at(cutoff)}`, limit),
    bounded('agent_reply', sql`occurred_at < ${at(cutoff)}`, limit),
    bounded('tool_call', sql`occurred_at < ${at(cutoff)}`, limit),
    // Oldest first, and a conversation's latest switch to a person stays: without it the list would say `bot`.
    sql`delete from conversation_mode where ctid = any(array(select ctid from conversation_mode m where occurred_at < ${at(cutoff)}
        and (mode = 'bot' or exists (select 1 from conversation_mode later where later.conversation_id = m.conversation_id
          and (later.occurred_at, later.event_id) > (m.occurred_at, m.event_id)))
        order by occurred_at limit ${limit})) returning 1`,
    bounded('interaction_hour', sql`hour <= ${lastHour}`, limit),
    bounded('failure_hour', sql`hour <= ${lastHour}`, limit),
    bounded('latency_hour', sql`hour <= ${lastHour}`, limit),
    bounded('latency_day', sql`day <= ${lastDay}`, limit),
    bounded('conversation_day', sql`day <= ${lastDay}`, limit),
    bounded('user_activity', sql`period < ${straddling}`, limit),
    // Both read the primary key's leading `period`, never the whole table.
    bounded('user_activity', sql`period = ${straddling} and days = 0`, limit),
  ];
  const daysBefore = firstKeptDay - straddling * DAYS_PER_PERIOD;
  if (daysBefore > 0) {
    // Bit n is day n of the period; the mask is kept in the column's signed 64-bit form.
    const gone = BigInt.asIntN(64, (1n << BigInt(daysBefore)) - 1n).toString();
    const keep = BigInt.asIntN(64, ~((1n << BigInt(daysBefore)) - 1n)).toString();
    statements.push(sql`update user_activity set days = days & ${keep}::bigint
      where ctid = any(array(select ctid from user_activity where period = ${straddling} and days & ${gone}::bigint <> 0 limit ${limit})) returning 1`);
  }
  return statements;
}
