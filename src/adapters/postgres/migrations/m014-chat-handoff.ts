import { Migration } from '@mikro-orm/migrations';

/**
 * Human handoff in the chat store. Who answers a conversation is a row of its own beside it (none
 * until it first changes: the bot), not columns of `chat_conversation`, which every registration
 * updates: the claim locks it `for share`, and must not wait for registrations. It goes with its
 * conversation (cascade). The queue of conversations waiting for a person reads a partial index.
 *
 * Agent replies are rows like messages: the JSONB reply with its `version` (compare-and-set) and
 * creation time as columns (the transcript's range reads), `written_at` for the retention sweep.
 * No foreign key: a reply is keyed by (conversation, id) alone; erasure and the sweep delete them.
 */
export class M014ChatHandoff extends Migration {
  override up(): void {
    this.addSql(`create table chat_handoff (
      conversation_id text primary key references chat_conversation (conversation_id) on delete cascade,
      mode text not null check (mode in ('bot', 'human')),
      agent text,
      since double precision not null,
      waiting_since double precision,
      requested_by text,
      version integer not null,
      written_at timestamptz not null
    )`);
    this.addSql('create index chat_handoff_waiting_idx on chat_handoff (waiting_since, conversation_id) where waiting_since is not null');

    this.addSql(`create table chat_agent_reply (
      conversation_id text not null,
      reply_id text collate "C" not null,
      created_at double precision not null,
      version integer not null,
      reply jsonb not null,
      written_at timestamptz not null,
      primary key (conversation_id, reply_id)
    )`);
    this.addSql('create index chat_agent_reply_created_idx on chat_agent_reply (conversation_id, created_at, reply_id)');
    this.addSql('create index chat_agent_reply_written_idx on chat_agent_reply (written_at)');
  }

  override down(): void {
    this.addSql('drop table if exists chat_agent_reply');
    this.addSql('drop table if exists chat_handoff');
  }
}
