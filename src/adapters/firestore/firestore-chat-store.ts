import { Firestore } from '@google-cloud/firestore';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { MessagePatch, MessageRecord } from '../../domain/model/message-record.js';
import type { ChatStore } from '../../domain/ports/chat-store.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import type { ApplyStatusResult } from '../../domain/ports/message-log.js';
import type { SpendReservation } from '../../domain/ports/spend-ledger.js';
import { FirestoreChannelSettingsStore } from './firestore-channel-settings-store.js';
import { ChatCollections, type FirestoreChatStoreOptions } from './firestore-collections.js';
import { FirestoreConversationArchive } from './firestore-conversation-archive.js';
import { FirestoreMessageLog } from './firestore-message-log.js';
import { FirestoreSpendLedger } from './firestore-spend-ledger.js';

export type { FirestoreChatStoreOptions } from './firestore-collections.js';

/**
 * A Firestore client for the chat store. The SDK itself switches to FIRESTORE_EMULATOR_HOST when
 * that is set; `emulatorHost` does the same explicitly (tests), without touching the environment.
 */
export function createFirestore(projectId: string, options: { emulatorHost?: string } = {}): Firestore {
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
    ...(options.emulatorHost ? { host: options.emulatorHost, ssl: false } : {}),
  });
}

/**
 * The chat store on Firestore: one object the composition binds, each capability in a file of its
 * own (message log, conversation archive, channel settings, spend ledger) over shared collections.
 * Every document read is decoded with a schema (firestore-schemas.ts).
 */
export class FirestoreChatStore implements ChatStore {
  private readonly log: FirestoreMessageLog;
  private readonly archive: FirestoreConversationArchive;
  private readonly settings: FirestoreChannelSettingsStore;
  private readonly spend: FirestoreSpendLedger;

  constructor(
    private readonly db: Firestore,
    options: FirestoreChatStoreOptions = {},
  ) {
    const collections = new ChatCollections(db, options);
    this.log = new FirestoreMessageLog(collections);
    this.archive = new FirestoreConversationArchive(collections);
    this.settings = new FirestoreChannelSettingsStore(collections);
    this.spend = new FirestoreSpendLedger(collections);
  }

  /** Ends the client's connections (at shutdown). */
  async close(): Promise<void> {
    await this.db.terminate();
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
