import { Migration } from '@mikro-orm/migrations';

/**
 * The chat store on PostgreSQL (PGlite for `npm start`), the same tables Firestore keeps as
 * collections. A message's record is JSONB; what queries filter or sort on is a column of its own:
 * the conversation with reception and sending times (transcripts, history), the participant's
 * pseudonymous key with reception time (rate-limit windows, erasure), `version` (compare-and-set).
 * `written_at` is the last write: the retention sweep deletes what was not written for
 * CHAT_RETENTION_DAYS, as Firestore's TTL does. Claims are a table apart so they outlive erasure.
 */
export class M006ChatStore extends Migration {
  override up(): void {
    this.addSql(`create table chat_claim (
      channel text not null,
      account_id text not null,
      message_id text not null,
      conversation_id text not null,
      claimed_at timestamptz not null,
      primary key (channel, account_id, message_id)
    )`);
    this.addSql('create index chat_claim_claimed_idx on chat_claim (claimed_at)');

    this.addSql(`create table chat_conversation (
      conversation_id text primary key,
      channel text not null,
      account_id text not null,
      participant jsonb not null,
      created_at double precision not null,
      last_message_at double precision not null,
      message_count integer not null,
      written_at timestamptz not null
    )`);
    this.addSql('create index chat_conversation_written_idx on chat_conversation (written_at)');

    this.addSql(`create table chat_message (
      conversation_id text not null,
      message_id text not null,
      participant_key text not null,
      received_at double precision not null,
      sent_at double precision not null,
      version integer not null,
      record jsonb not null,
      written_at timestamptz not null,
      primary key (conversation_id, message_id)
    )`);
    this.addSql('create index chat_message_transcript_idx on chat_message (conversation_id, received_at, sent_at, message_id)');
    this.addSql('create index chat_message_participant_idx on chat_message (participant_key, received_at)');
    this.addSql('create index chat_message_written_idx on chat_message (written_at)');

    this.addSql(`create table chat_outbound (
      outbound_id text primary key,
      conversation_id text not null,
      message_id text not null,
      written_at timestamptz not null
    )`);
    this.addSql('create index chat_outbound_message_idx on chat_outbound (conversation_id, message_id)');
    this.addSql('create index chat_outbound_written_idx on chat_outbound (written_at)');

    this.addSql(`create table chat_channel (
      account_id text collate "C" primary key,
      settings jsonb not null
    )`);

    this.addSql(`create table chat_spend (
      account_id text not null,
      day text not null,
      usd double precision not null,
      reservations jsonb not null,
      written_at timestamptz not null,
      primary key (account_id, day)
    )`);
    this.addSql('create index chat_spend_written_idx on chat_spend (written_at)');
  }

  override down(): void {
    for (const table of ['chat_spend', 'chat_channel', 'chat_outbound', 'chat_message', 'chat_conversation', 'chat_claim']) this.addSql(`drop table if exists ${table}`);
  }
}
