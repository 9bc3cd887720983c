import type { Database } from '../../src/adapters/postgres/database.js';

/**
 * Makes the outbox's next `count` INSERT statements really fail in the database (a statement
 * trigger raises), so the bus's own error path runs: nothing mocked, nothing written. The trigger
 * counts with a sequence, which the failing statement's rollback does not undo.
 */
export async function failNextOutboxInserts(db: Database, count: number): Promise<void> {
  const connection = db.orm.em.getConnection();
  await connection.execute(`create table if not exists test_outbox_failures (failing bigint not null)`);
  await connection.execute(`create sequence if not exists test_outbox_insert_seq`);
  await connection.execute(`create or replace function test_outbox_fail() returns trigger language plpgsql as $$
    begin
      if nextval('test_outbox_insert_seq') <= (select coalesce(max(failing), 0) from test_outbox_failures) then
        raise exception 'injected outbox failure';
      end if;
      return null;
    end $$`);
  await connection.execute(`drop trigger if exists test_outbox_fail on message_outbox`);
  await connection.execute(`create trigger test_outbox_fail before insert on message_outbox for each statement execute function test_outbox_fail()`);
  await connection.execute(`delete from test_outbox_failures`);
  await connection.execute(`select setval('test_outbox_insert_seq', 1, false)`);
  await connection.execute(`insert into test_outbox_failures (failing) values (${Math.trunc(count)})`);
}
