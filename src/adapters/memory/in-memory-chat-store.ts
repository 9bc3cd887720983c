import type { AgentReply, AgentReplyPatch } from '../../domain/model/agent-reply.js';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryStatus } from '../../domain/model/delivery-status.js';
import { BOT_HANDOFF, type Handoff, type HandoffChange } from '../../domain/model/handoff.js';
import type { ConversationMode } from '../../domain/model/interaction.js';
import { userKeyFor } from '../../domain/model/ids.js';
import type { InboundMessage } from '../../domain/model/message.js';
import { deliveryAfter, erasedRecord, newRecord, type MessagePatch, type MessageRecord } from '../../domain/model/message-record.js';
import type { ChatStore } from '../../domain/ports/chat-store.js';
import { positionOf, type ParticipantRef, type TranscriptPosition } from '../../domain/ports/conversation-archive.js';
import type { ModeClaim } from '../../domain/ports/handoff-log.js';
import type { ApplyStatusResult } from '../../domain/ports/message-log.js';
import type { SpendReservation, SpendSettlement } from '../../domain/ports/spend-ledger.js';

/**
 * The chat store in process memory. Reads and writes copy, so callers never share state with the
 * store, and every operation is atomic (no await between its read and its write), like a
 * Firestore `create()` or transaction.
 */
export class InMemoryChatStore implements ChatStore {
  private readonly conversations = new Map<string, Conversation>();
  private readonly records = new Map<string, Map<string, MessageRecord>>();
  private readonly byOutboundId = new Map<string, { conversationId: string; messageId: string }>();
  private readonly channels = new Map<string, ChannelSettings>();
  /** channel + account + message id → the conversation that claimed it. */
  private readonly claims = new Map<string, string>();
  private readonly spend = new Map<string, { usd: number; reservations: Map<string, SpendReservation> }>();
  /** Participant key → the conversations they wrote in (a conversation may hold several people). */
  private readonly participants = new Map<string, Set<string>>();
  private readonly handoffs = new Map<string, Handoff>();
  private readonly agentReplyMaps = new Map<string, Map<string, AgentReply>>();

  async register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }> {
    // Keyed by the channel's message id alone: the same id under another conversation is a duplicate.
    const claimKey = `${message.channel}\u0000${message.accountId}\u0000${message.id}`;
    const owner = this.claims.get(claimKey);
    if (owner !== undefined) {
      const existing = this.records.get(owner)?.get(message.id);
      return { created: false, record: existing ? structuredClone(existing) : erasedRecord(structuredClone(message), now) };
    }
    this.claims.set(claimKey, message.conversationId);
    const messages = this.messagesOf(message.conversationId);

    const record = newRecord(structuredClone(message), now);
    messages.set(message.id, record);
    this.touchConversation(message, now);
    const key = participantKeyOf(message);
    this.participants.set(key, (this.participants.get(key) ?? new Set()).add(message.conversationId));
    return { created: true, record: structuredClone(record) };
  }

  async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord | null> {
    const current = this.records.get(conversationId)?.get(messageId);
    if (!current || current.version !== expectedVersion) return null;
    if (settlement) this.settle(settlement);
    const next: MessageRecord = { ...current, ...structuredClone(patch), version: current.version + 1 };
    for (const key of Object.keys(next) as (keyof MessageRecord)[]) if (next[key] === undefined) delete next[key];
    this.records.get(conversationId)!.set(messageId, next);
    for (const outboundId of next.outboundIds) this.byOutboundId.set(outboundId, { conversationId, messageId });
    return structuredClone(next);
  }

  async history(conversationId: string, { before, limit }: { before: number; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    const earlier = this.sorted(conversationId).filter((record) => record.message.receivedAt < before);
    return structuredClone(earlier.slice(-limit));
  }

  async applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult> {
    const ref = this.byOutboundId.get(status.outboundId);
    const record = ref && this.records.get(ref.conversationId)?.get(ref.messageId);
    if (!record) return 'unknown';
    const { result, delivery } = deliveryAfter(record.delivery, status);
    if (delivery) {
      record.delivery = delivery;
      record.version += 1;
    }
    return result;
  }

  async findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null> {
    const record = this.records.get(conversationId)?.get(messageId);
    return record ? structuredClone(record) : null;
  }

  async findByOutboundId(outboundId: string): Promise<MessageRecord | null> {
    const ref = this.byOutboundId.get(outboundId);
    return ref ? this.findMessage(ref.conversationId, ref.messageId) : null;
  }

  async getConversation(conversationId: string): Promise<Conversation | null> {
    const conversation = this.conversations.get(conversationId);
    return conversation ? structuredClone({ ...conversation, handoff: this.handoffs.get(conversationId) ?? BOT_HANDOFF }) : null;
  }

  async handoff(conversationId: string): Promise<Handoff | null> {
    if (!this.conversations.has(conversationId)) return null;
    return structuredClone(this.handoffs.get(conversationId) ?? BOT_HANDOFF);
  }

  async replaceHandoff(conversationId: string, expectedVersion: number, next: HandoffChange): Promise<Handoff | null> {
    if (!this.conversations.has(conversationId)) return null;
    const current = this.handoffs.get(conversationId) ?? BOT_HANDOFF;
    if (current.version !== expectedVersion) return null;
    const written = withoutUndefined({ ...structuredClone(next), version: current.version + 1 });
    this.handoffs.set(conversationId, written);
    return structuredClone(written);
  }

  async claim(conversationId: string, messageId: string, expectedVersion: number, patches: Record<ConversationMode, MessagePatch>): Promise<ModeClaim | null> {
    // No await between the read of the mode and the write: atomic, like the adapters' transactions.
    const handoff = structuredClone(this.handoffs.get(conversationId) ?? BOT_HANDOFF);
    const record = await this.transition(conversationId, messageId, expectedVersion, patches[handoff.mode]);
    return record ? { mode: handoff.mode, handoff, record } : null;
  }

  async waitingForHuman({ limit }: { limit: number }): Promise<Conversation[]> {
    const waiting = [...this.handoffs].filter(([, handoff]) => handoff.waitingSince !== undefined);
    waiting.sort(([a, x], [b, y]) => x.waitingSince! - y.waitingSince! || (a < b ? -1 : a > b ? 1 : 0));
    return structuredClone(waiting.slice(0, Math.max(0, limit)).flatMap(([id, handoff]) => {
      const conversation = this.conversations.get(id);
      return conversation ? [{ ...conversation, handoff }] : [];
    }));
  }

  async addAgentReply(reply: AgentReply): Promise<{ created: boolean; reply: AgentReply }> {
    let replies = this.agentReplyMaps.get(reply.conversationId);
    if (!replies) this.agentReplyMaps.set(reply.conversationId, (replies = new Map()));
    const stored = replies.get(reply.id);
    if (stored) return { created: false, reply: structuredClone(stored) };
    replies.set(reply.id, withoutUndefined(structuredClone(reply)));
    return { created: true, reply: structuredClone(replies.get(reply.id)!) };
  }

  async transitionAgentReply(conversationId: string, id: string, expectedVersion: number, patch: AgentReplyPatch): Promise<AgentReply | null> {
    const replies = this.agentReplyMaps.get(conversationId);
    const current = replies?.get(id);
    if (!replies || !current || current.version !== expectedVersion) return null;
    const next = withoutUndefined({ ...current, ...structuredClone(patch), version: current.version + 1 });
    replies.set(id, next);
    return structuredClone(next);
  }

  async findAgentReply(conversationId: string, id: string): Promise<AgentReply | null> {
    const reply = this.agentReplyMaps.get(conversationId)?.get(id);
    return reply ? structuredClone(reply) : null;
  }

  async agentReplies(conversationId: string, { from, to, limit }: { from?: number; to?: number; limit: number }): Promise<AgentReply[]> {
    const inRange = [...(this.agentReplyMaps.get(conversationId)?.values() ?? [])].filter(
      (reply) => (from === undefined || reply.createdAt >= from) && (to === undefined || reply.createdAt < to),
    );
    inRange.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return structuredClone(inRange.slice(0, Math.max(0, limit)));
  }

  async messages(conversationId: string, { limit }: { limit: number }): Promise<MessageRecord[]> {
    return limit <= 0 ? [] : structuredClone(this.sorted(conversationId).slice(-limit));
  }

  async messagesAfter(conversationId: string, { after, limit }: { after?: TranscriptPosition; limit: number }): Promise<MessageRecord[]> {
    const sorted = this.sorted(conversationId);
    const rest = after ? sorted.filter((record) => compareOrder(positionOf(record), after) > 0) : sorted;
    return structuredClone(rest.slice(0, Math.max(0, limit)));
  }

  async channelSettings(accountId: string): Promise<ChannelSettings | null> {
    const settings = this.channels.get(accountId);
    return settings ? structuredClone(settings) : null;
  }

  async listChannelSettings(): Promise<ChannelSettings[]> {
    return structuredClone([...this.channels.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0)));
  }

  async eraseConversation(conversationId: string): Promise<{ messages: number }> {
    const records = this.records.get(conversationId);
    for (const [outboundId, ref] of this.byOutboundId) if (ref.conversationId === conversationId) this.byOutboundId.delete(outboundId);
    this.records.delete(conversationId);
    this.conversations.delete(conversationId);
    this.handoffs.delete(conversationId);
    this.agentReplyMaps.delete(conversationId);
    for (const conversations of this.participants.values()) conversations.delete(conversationId);
    return { messages: records?.size ?? 0 };
  }

  async conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    const ids = [...(this.participants.get(participantKeyOf(participant)) ?? [])];
    return structuredClone(ids.flatMap((id) => this.conversations.get(id) ?? []));
  }

  async participantWindow(
    participant: ParticipantRef,
    { after, upTo, except, note }: { after: number; upTo: number; except: string; note: string },
  ): Promise<{ messages: number; limitReplied: boolean }> {
    const key = participantKeyOf(participant);
    const inWindow = [...(this.participants.get(key) ?? [])]
      .flatMap((id) => [...(this.records.get(id)?.values() ?? [])])
      .filter((record) => participantKeyOf(record.message) === key && record.message.receivedAt > after && record.message.receivedAt <= upTo);
    const limitReplied = inWindow.some((record) => record.message.id !== except && record.reply?.kind === 'limit' && record.note === note);
    return { messages: inWindow.length, limitReplied };
  }

  async saveChannelSettings(settings: ChannelSettings): Promise<void> {
    this.channels.set(settings.accountId, structuredClone(settings));
  }

  async reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    const spend = this.spendDay(accountId, day);
    for (const [key, held] of spend.reservations) if (held.until <= now || key === reservation.key) spend.reservations.delete(key);
    const committed = spend.usd + [...spend.reservations.values()].reduce((sum, held) => sum + held.usd, 0);
    if (committed >= capUsd || committed + reservation.usd > capUsd) return false;
    spend.reservations.set(reservation.key, { ...reservation });
    return true;
  }

  async settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    this.settle({ accountId, day, key, usd });
  }

  private settle({ accountId, day, key, usd }: SpendSettlement): void {
    const spend = this.spendDay(accountId, day);
    spend.reservations.delete(key);
    spend.usd += usd;
  }

  async spendOf(accountId: string, day: string): Promise<number> {
    return this.spend.get(`${accountId}\u0000${day}`)?.usd ?? 0;
  }

  private spendDay(accountId: string, day: string): { usd: number; reservations: Map<string, SpendReservation> } {
    const key = `${accountId}\u0000${day}`;
    let spend = this.spend.get(key);
    if (!spend) this.spend.set(key, (spend = { usd: 0, reservations: new Map() }));
    return spend;
  }

  private sorted(conversationId: string): MessageRecord[] {
    return [...(this.records.get(conversationId)?.values() ?? [])].sort((a, b) => compareOrder(positionOf(a), positionOf(b)));
  }

  private messagesOf(conversationId: string): Map<string, MessageRecord> {
    let messages = this.records.get(conversationId);
    if (!messages) this.records.set(conversationId, (messages = new Map()));
    return messages;
  }

  private touchConversation(message: InboundMessage, now: number): void {
    const existing = this.conversations.get(message.conversationId);
    this.conversations.set(message.conversationId, {
      id: message.conversationId,
      channel: message.channel,
      accountId: message.accountId,
      participant: structuredClone({ ...existing?.participant, ...message.participant }),
      createdAt: existing?.createdAt ?? now,
      lastMessageAt: Math.max(existing?.lastMessageAt ?? 0, message.receivedAt),
      messageCount: (existing?.messageCount ?? 0) + 1,
    });
  }
}

const participantKeyOf = (of: ParticipantRef | InboundMessage): string =>
  'participantId' in of ? userKeyFor(of.channel, of.accountId, of.participantId) : userKeyFor(of.channel, of.accountId, of.participant.id);

/** Transcript order: reception time, then sending time, then message id. */
const compareOrder = (a: TranscriptPosition, b: TranscriptPosition): number =>
  a.receivedAt - b.receivedAt || a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A copy without the keys whose value is undefined (a patch clears a field by setting it undefined). */
function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
