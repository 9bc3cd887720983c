import type { AgentReply, AgentReplyPatch } from '../model/agent-reply.js';

/** Replies people wrote in conversations they took over, each with its send's state machine. */
export interface AgentReplyLog {
  /**
   * Atomic create-if-absent keyed by (conversation, id). `created` is false when a reply with that
   * id was stored already: `reply` is then the stored one, untouched.
   */
  addAgentReply(reply: AgentReply): Promise<{ created: boolean; reply: AgentReply }>;

  /** Compare-and-set on `version`, like a message transition: the new reply, or null when another writer came first. */
  transitionAgentReply(conversationId: string, id: string, expectedVersion: number, patch: AgentReplyPatch): Promise<AgentReply | null>;

  findAgentReply(conversationId: string, id: string): Promise<AgentReply | null>;

  /**
   * The conversation's agent replies created in `[from, to)` (either bound open when absent), oldest
   * first (by creation time, then id), at most `limit`.
   */
  agentReplies(conversationId: string, options: { from?: number; to?: number; limit: number }): Promise<AgentReply[]>;
}
