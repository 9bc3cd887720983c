import type { AgentReply } from '../model/agent-reply.js';
import type { Conversation } from '../model/conversation.js';
import { everHandedOff } from '../model/handoff.js';
import type { AgentReplyLog } from '../ports/agent-reply-log.js';
import { ConversationNotFoundError } from '../model/errors.js';
import type { MessageRecord } from '../model/message-record.js';
import { callsOf, type ToolCallState, type ToolFailureReason } from '../model/tool-call.js';
import { positionOf, type ConversationArchive, type TranscriptPosition } from '../ports/conversation-archive.js';

export { ConversationNotFoundError } from '../model/errors.js';

export type GetTranscriptError = ConversationNotFoundError;

/** One page of a transcript, oldest first, and where the next begins (null on the last page). */
export interface TranscriptPage {
  conversation: Conversation;
  messages: MessageRecord[];
  /** What people wrote after the page's messages (each names the message it follows), oldest first. */
  agentReplies: AgentReply[];
  /** The tools the model called for the page's messages (each names its message), in the order they were asked for. */
  toolCalls: TranscriptToolCall[];
  next: TranscriptPosition | null;
}

/**
 * A tool call as a transcript shows it: between the message and the reply it led to. The model's
 * own id of the call stays out (it means nothing to a reader).
 */
export interface TranscriptToolCall {
  messageId: string;
  callId: string;
  tool: string;
  arguments: unknown;
  state: ToolCallState;
  /** The tool's JSON answer as stored (text, not parsed). */
  answer?: string;
  reason?: ToolFailureReason;
  latencyMs?: number;
  at: number;
}

/** Agent replies read for one page at most: a person answers a message a few times, not hundreds. */
const AGENT_REPLIES_PER_PAGE = 1000;

/** A conversation and its messages with their replies (and agent replies), from the chat store, page by page. */
export class GetTranscript {
  constructor(private readonly store: ConversationArchive & AgentReplyLog) {}

  /** The transcript page by page from its first message: however long, every message is reachable. */
  async page(conversationId: string, { after, limit }: { after?: TranscriptPosition; limit: number }): Promise<TranscriptPage> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    const records = await this.store.messagesAfter(conversationId, { ...(after ? { after } : {}), limit: limit + 1 });
    const messages = records.slice(0, limit);
    const last = messages.at(-1);
    const next = records.length > limit && last ? positionOf(last) : null;
    return { conversation, messages, agentReplies: await this.agentRepliesOf(conversation, messages), toolCalls: messages.flatMap(toolCallsOf), next };
  }

  /** The agent replies that follow the page's messages: only a conversation a person ever held has any. */
  private async agentRepliesOf(conversation: Conversation, messages: readonly MessageRecord[]): Promise<AgentReply[]> {
    if (!everHandedOff(conversation.handoff) || messages.length === 0) return [];
    const ids = new Set(messages.map((record) => record.message.id));
    const replies = await this.store.agentReplies(conversation.id, { from: messages[0]!.message.receivedAt, limit: AGENT_REPLIES_PER_PAGE });
    return replies.filter((reply) => ids.has(reply.inReplyTo));
  }

  /** Whom each conversation is with, in full (number or user id): for an export the operator asks for. Gone conversations are left out. */
  async participantIds(conversationIds: readonly string[]): Promise<Map<string, string>> {
    const conversations = await Promise.all(conversationIds.map((id) => this.store.getConversation(id)));
    return new Map(conversations.flatMap((c) => (c ? [[c.id, c.participant.id] as const] : [])));
  }
}

function toolCallsOf(record: MessageRecord): TranscriptToolCall[] {
  return callsOf(record.toolRounds).map((call) => ({
    messageId: record.message.id,
    callId: call.callId,
    tool: call.name,
    arguments: call.arguments,
    state: call.state,
    ...(call.answer !== undefined ? { answer: call.answer } : {}),
    ...(call.reason !== undefined ? { reason: call.reason } : {}),
    ...(call.latencyMs !== undefined ? { latencyMs: call.latencyMs } : {}),
    at: call.startedAt,
  }));
}
