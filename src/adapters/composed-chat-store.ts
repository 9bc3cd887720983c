import type { AgentReply, AgentReplyPatch } from '../domain/model/agent-reply.js';
import type { ChannelSettings } from '../domain/model/channel-settings.js';
import type { Conversation } from '../domain/model/conversation.js';
import type { DeliveryStatus } from '../domain/model/delivery-status.js';
import type { Handoff, HandoffChange } from '../domain/model/handoff.js';
import type { ConversationMode } from '../domain/model/interaction.js';
import type { InboundMessage } from '../domain/model/message.js';
import type { MessagePatch, MessageRecord } from '../domain/model/message-record.js';
import type { LimitReason } from '../domain/model/reasons.js';
import type { AgentReplyLog } from '../domain/ports/agent-reply-log.js';
import type { ChannelSettingsStore } from '../domain/ports/channel-settings-store.js';
import type { ChatStore } from '../domain/ports/chat-store.js';
import type { ConversationArchive, ParticipantRef, TranscriptPosition } from '../domain/ports/conversation-archive.js';
import type { HandoffLog, ModeClaim } from '../domain/ports/handoff-log.js';
import type { ApplyStatusResult, MessageLog } from '../domain/ports/message-log.js';
import type { SpendLedger, SpendReservation, SpendSettlement } from '../domain/ports/spend-ledger.js';

/** The capabilities a chat store adapter implements, each in a class of its own. */
export interface ChatCapabilities {
  log: MessageLog;
  archive: ConversationArchive;
  settings: ChannelSettingsStore;
  spend: SpendLedger;
  handoff: HandoffLog;
  agentReplies: AgentReplyLog;
}

/**
 * A chat store as the one object the composition binds, made of its capabilities: each adapter
 * (Firestore, PostgreSQL) extends it with its own parts and adds only what is its own (closing a
 * client, purging expired rows). Every method hands the call to the capability that owns it.
 */
export class ComposedChatStore implements ChatStore {
  constructor(private readonly parts: ChatCapabilities) {}

  register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    return this.parts.log.register(message, now);
  }

  transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord | null> {
    return this.parts.log.transition(conversationId, messageId, expectedVersion, patch, settlement);
  }

  findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    return this.parts.log.findMessage(conversationId, messageId);
  }

  findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    return this.parts.log.findByOutboundId(outboundId);
  }

  history(conversationId: string, options: { before: number; limit: number }): Promise<MessageRecord[]> {
    return this.parts.log.history(conversationId, options);
  }

  applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    return this.parts.log.applyStatus(status);
  }

  getConversation(conversationId: string): Promise<Conversation | null> {
    return this.parts.archive.getConversation(conversationId);
  }

  messages(conversationId: string, options: { limit: number }): Promise<MessageRecord[]> {
    return this.parts.archive.messages(conversationId, options);
  }

  messagesAfter(conversationId: string, options: { after?: TranscriptPosition; limit: number }): Promise<MessageRecord[]> {
    return this.parts.archive.messagesAfter(conversationId, options);
  }

  conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    return this.parts.archive.conversationsOf(participant);
  }

  participantWindow(
    participant: ParticipantRef,
    window: { after: number; upTo: number; except: string; note: LimitReason },
  ): Promise<{ messages: number; limitReplied: boolean }> {
    return this.parts.archive.participantWindow(participant, window);
  }

  eraseConversation(conversationId: string): Promise<{ messages: number }> {
    return this.parts.archive.eraseConversation(conversationId);
  }

  channelSettings(accountId: string): Promise<ChannelSettings | null> {
    return this.parts.settings.channelSettings(accountId);
  }

  listChannelSettings(): Promise<ChannelSettings[]> {
    return this.parts.settings.listChannelSettings();
  }

  saveChannelSettings(settings: ChannelSettings): Promise<void> {
    return this.parts.settings.saveChannelSettings(settings);
  }

  reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    return this.parts.spend.reserveSpend(accountId, day, reservation, capUsd, now);
  }

  settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    return this.parts.spend.settleSpend(accountId, day, key, usd);
  }

  spendOf(accountId: string, day: string): Promise<number> {
    return this.parts.spend.spendOf(accountId, day);
  }

  handoff(conversationId: string): Promise<Handoff | null> {
    return this.parts.handoff.handoff(conversationId);
  }

  replaceHandoff(conversationId: string, expectedVersion: number, next: HandoffChange): Promise<Handoff | null> {
    return this.parts.handoff.replaceHandoff(conversationId, expectedVersion, next);
  }

  claim(conversationId: string, messageId: string, expectedVersion: number, patches: Record<ConversationMode, MessagePatch>): Promise<ModeClaim | null> {
    return this.parts.handoff.claim(conversationId, messageId, expectedVersion, patches);
  }

  waitingForHuman(options: { limit: number }): Promise<Conversation[]> {
    return this.parts.handoff.waitingForHuman(options);
  }

  addAgentReply(reply: AgentReply): Promise<{ created: boolean; reply: AgentReply }> {
    return this.parts.agentReplies.addAgentReply(reply);
  }

  transitionAgentReply(conversationId: string, id: string, expectedVersion: number, patch: AgentReplyPatch): Promise<AgentReply | null> {
    return this.parts.agentReplies.transitionAgentReply(conversationId, id, expectedVersion, patch);
  }

  findAgentReply(conversationId: string, id: string): Promise<AgentReply | null> {
    return this.parts.agentReplies.findAgentReply(conversationId, id);
  }

  agentReplies(conversationId: string, options: { from?: number; to?: number; limit: number }): Promise<AgentReply[]> {
    return this.parts.agentReplies.agentReplies(conversationId, options);
  }
}
