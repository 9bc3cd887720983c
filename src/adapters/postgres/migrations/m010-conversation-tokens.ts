import { Migration } from '@mikro-orm/migrations';

/** Each conversation's tokens beside its cost, per day: the conversations list and the CSV show them. */
export class M010ConversationTokens extends Migration {
  override up(): void {
    this.addSql('alter table conversation_day add column prompt_tokens bigint not null default 0, add column completion_tokens bigint not null default 0');
    // The facts already stored, summed as the rollup sums them.
    this.addSql(`update conversation_day as t set prompt_tokens = x.prompt, completion_tokens = x.completion
      from (
        select date_trunc('day', received_at, 'UTC') as day, channel, conversation_id, user_hash,
          sum(prompt_tokens) as prompt, sum(completion_tokens) as completion
        from interaction group by 1, 2, 3, 4
      ) x
      where t.day = x.day and t.channel = x.channel and t.conversation_id = x.conversation_id and t.user_hash = x.user_hash`);
  }

  override down(): void {
    this.addSql('alter table conversation_day drop column if exists completion_tokens, drop column if exists prompt_tokens');
  }
}
