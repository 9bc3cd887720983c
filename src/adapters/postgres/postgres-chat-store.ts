import type { MikroORM } from '@mikro-orm/postgresql';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { MessagePatch, MessageRecord } from '../../domain/model/message-record.js';
import type { ChatStore } from '../../domain/ports/chat-store.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import type { ApplyStatusResult } from '../../domain/ports/message-log.js';
import type { SpendReservation } from '../../domain/ports/spend-ledger.js';
import { PostgresChannelSettingsStore } from './postgres-channel-settings-store.js';
import { purgeExpiredChats } from './postgres-chat-retention.js';
import { PostgresConversationArchive } from './postgres-conversation-archive.js';
import { PostgresMessageLog } from './postgres-message-log.js';
import { PostgresSpendLedger } from './postgres-spend-ledger.js';

export interface PostgresChatStoreOptions {
  /** Transcripts not written for this many days are deleted by `purgeExpired`. Default 90 (CHAT_RETENTION_DAYS). */
  retentionDays?: number;
}

/**
 * The chat store on PostgreSQL (a server, or PGlite under DATA_DIR for `npm start`): the same
 * guarantees as the Firestore adapter, each capability in a file of its own over the M006 tables.
 * Every statement runs on the request's entity manager (`entityManager`), one round trip where
 * one suffices, and no transaction ever waits on anything but SQL.
 */
export class PostgresChatStore implements ChatStore {
  private readonly log: PostgresMessageLog;
  private readonly archive: PostgresConversationArchive;
  private readonly settings: PostgresChannelSettingsStore;
  private readonly spend: PostgresSpendLedger;
  private readonly retentionDays: number;

  constructor(
    private readonly orm: MikroORM,
    options: PostgresChatStoreOptions = {},
  ) {
    this.log = new PostgresMessageLog(orm);
    this.archive = new PostgresConversationArchive(orm);
    this.settings = new PostgresChannelSettingsStore(orm);
    this.spend = new PostgresSpendLedger(orm);
    this.retentionDays = options.retentionDays ?? 90;
  }

  /** Deletes what was not written for `retentionDays` before `now` (Firestore's TTL), in small batches. */
  purgeExpired(now: number): Promise<{ messages: number; conversations: number }> {
    return purgeExpiredChats(this.orm, this.retentionDays, now);
  }

  register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    return this.log.register(message, now);
  }

  transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch): Promise<MessageRecord | null> {
    return this.log.transition(conversationId, messageId, expectedVersion, patch);
  }

  findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    return this.log.findMessage(conversationId, messageId);
  }

  findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    return this.log.findByOutboundId(outboundId);
  }

  history(conversationId: string, options: { before: number; limit: number }): Promise<MessageRecord[]> {
    return this.log.history(conversationId, options);
  }

  applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    return this.log.applyStatus(status);
  }

  getConversation(conversationId: string): Promise<Conversation | null> {
    return this.archive.getConversation(conversationId);
  }

  messages(conversationId: string, options: { limit: number }): Promise<MessageRecord[]> {
    return this.archive.messages(conversationId, options);
  }

  conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    return this.archive.conversationsOf(participant);
  }

  participantWindow(participant: ParticipantRef, window: { after: number; upTo: number; except: string; note: string }): Promise<{ messages: number; limitReplied: boolean }> {
    return this.archive.participantWindow(participant, window);
  }

  eraseConversation(conversationId: string): Promise<{ messages: number }> {
    return this.archive.eraseConversation(conversationId);
  }

  channelSettings(accountId: string): Promise<ChannelSettings | null> {
    return this.settings.channelSettings(accountId);
  }

  listChannelSettings(): Promise<ChannelSettings[]> {
    return this.settings.listChannelSettings();
  }

  saveChannelSettings(settings: ChannelSettings): Promise<void> {
    return this.settings.saveChannelSettings(settings);
  }

  reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    return this.spend.reserveSpend(accountId, day, reservation, capUsd, now);
  }

  settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    return this.spend.settleSpend(accountId, day, key, usd);
  }

  spendOf(accountId: string, day: string): Promise<number> {
    return this.spend.spendOf(accountId, day);
  }
}
