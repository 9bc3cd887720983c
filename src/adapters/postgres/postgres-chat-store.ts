import type { MikroORM } from '@mikro-orm/postgresql';
import { ComposedChatStore } from '../composed-chat-store.js';
import { PostgresAgentReplyLog } from './postgres-agent-reply-log.js';
import { PostgresChannelSettingsStore } from './postgres-channel-settings-store.js';
import { purgeExpiredChats } from './postgres-chat-retention.js';
import { PostgresConversationArchive } from './postgres-conversation-archive.js';
import { PostgresHandoffLog } from './postgres-handoff-log.js';
import { PostgresMessageLog } from './postgres-message-log.js';
import { PostgresSpendLedger } from './postgres-spend-ledger.js';

export interface PostgresChatStoreOptions {
  /** Transcripts not written for this many days are deleted by `purgeExpired`. Default 90 (CHAT_RETENTION_DAYS). */
  retentionDays?: number;
}

/**
 * The chat store on PostgreSQL (a server, or PGlite under DATA_DIR for `npm start`): the same
 * guarantees as the Firestore adapter, each capability in a file of its own over the M006 tables
 * (and M014's handoffs and agent replies).
 * Every statement runs on the request's entity manager (`entityManager`), one round trip where
 * one suffices, and no transaction ever waits on anything but SQL.
 */
export class PostgresChatStore extends ComposedChatStore {
  private readonly retentionDays: number;

  constructor(
    private readonly orm: MikroORM,
    options: PostgresChatStoreOptions = {},
  ) {
    super({
      log: new PostgresMessageLog(orm),
      archive: new PostgresConversationArchive(orm),
      settings: new PostgresChannelSettingsStore(orm),
      spend: new PostgresSpendLedger(orm),
      handoff: new PostgresHandoffLog(orm),
      agentReplies: new PostgresAgentReplyLog(orm),
    });
    this.retentionDays = options.retentionDays ?? 90;
  }

  /** Deletes what was not written for `retentionDays` before `now` (Firestore's TTL), in small batches. */
  purgeExpired(now: number): Promise<{ messages: number; conversations: number }> {
    return purgeExpiredChats(this.orm, this.retentionDays, now);
  }
}
