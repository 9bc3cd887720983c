import type { ModeInteraction } from '../../domain/model/interaction.js';
import { erasedBefore } from './analytics-write-sql.js';
import { at, sql, type Sql } from './sql-fragment.js';

/** A conversation's switch between the bot and a person, once per event id; refused for a user erased since. */
export function recordModeSql(e: ModeInteraction): Sql {
  const erased = erasedBefore(e.userKey, e.occurredAt);
  return sql`with inserted as (
      insert into conversation_mode (event_id, occurred_at, channel, account_id, conversation_id, user_key, mode)
      select ${e.eventId}, ${at(e.occurredAt)}::timestamptz, ${e.channel}, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.mode}
      where not ${erased}
      on conflict (event_id) do nothing
      returning 1
    )
    select count(*)::integer as inserted, ${erased} as erased from inserted`;
}
