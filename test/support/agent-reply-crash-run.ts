import { PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import type { AgentReply } from '../../src/domain/model/agent-reply.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { AcceptAgentReply } from '../../src/domain/use-cases/accept-agent-reply.js';
import { aMessage } from './builders.js';
import { CrashRun } from './crash-run.js';

/** What became of each agent reply: its stored state and how often the Graph double received it. */
export interface AgentReplyVerdict {
  replies: number;
  /** Replies the double received more than once. */
  duplicated: string[];
  /** Replies not in a terminal state, or sent by the record but never received. */
  lost: string[];
  unknown: number;
  sent: number;
}

/**
 * A crash world (CrashRun) whose stream is agent replies (human handoff): each conversation has
 * one inbound message, is taken over by a person, and gets several agent replies accepted as the
 * api role does (stored, then published on the conversation's ordering key).
 */
export class AgentReplyCrashRun extends CrashRun {
  private readonly replyIds: { conversationId: string; id: string }[] = [];

  override async publish(): Promise<void> {
    const bus = new PubSubMessageBus(this.setup.pubsub, { inbound: this.names.inbound, interactions: this.names.interactions });
    const accept = new AcceptAgentReply(this.store, bus, new SystemClock());
    const now = Date.now();
    await Promise.all(
      Array.from({ length: this.setup.conversations }, async (_, c) => {
        const message = aMessage({ accountId: `phone-${this.tag}`, participant: { id: `4916${String(c).padStart(2, '0')}${Math.floor(Math.random() * 1e7)}` }, receivedAt: now, sentAt: now });
        await this.store.register(message, now);
        await this.store.transition(message.conversationId, message.id, 1, { state: 'skipped', note: 'human_mode', recorded: true });
        await this.store.replaceHandoff(message.conversationId, 0, { mode: 'human', agent: 'Grace', since: now });
        this.conversationIds.push(message.conversationId);
        for (let r = 0; r < this.setup.messagesPerConversation; r++) {
          const { reply } = await accept.execute({ conversationId: message.conversationId, idempotencyKey: `k-${c}-${r}`, text: `agent ${this.tag} c${c} r${r}` });
          this.replyIds.push({ conversationId: message.conversationId, id: reply.id });
        }
      }),
    );
  }

  private async replies(): Promise<AgentReply[]> {
    return (await Promise.all(this.replyIds.map(({ conversationId, id }) => this.store.findAgentReply(conversationId, id)))).filter((r): r is AgentReply => r !== null);
  }

  /** A shorter lease (30 s): a reply whose sender died is found unknown after it, not after the default minute. */
  override workerEnv(): Record<string, string> {
    return { ...super.workerEnv(), REPLY_LEASE_MS: '30000', OPENAI_TIMEOUT_MS: '5000' };
  }

  override async settled(options: { recorded: boolean }): Promise<boolean> {
    const replies = await this.replies();
    return replies.length === this.replyIds.length && replies.every((r) => ['sent', 'failed', 'send-unknown'].includes(r.state) && (!options.recorded || r.recorded));
  }

  /** Sends per agent reply, told by the opaque data each send carries (`vocoeng:1:a:<reply id>`). */
  async verdict(): Promise<AgentReplyVerdict> {
    const received = new Map<string, number>();
    for (const send of this.graph.sends) {
      const data = (send.body as { biz_opaque_callback_data?: string } | undefined)?.biz_opaque_callback_data ?? '';
      if (data.startsWith('vocoeng:1:a:')) received.set(data.slice('vocoeng:1:a:'.length), (received.get(data.slice('vocoeng:1:a:'.length)) ?? 0) + 1);
    }
    const replies = await this.replies();
    const byId = new Map(replies.map((r) => [r.id, r]));
    const lost = this.replyIds
      .map(({ id }) => id)
      .filter((id) => {
        const reply = byId.get(id);
        return !reply || !['sent', 'send-unknown'].includes(reply.state) || (reply.state === 'sent' && (received.get(id) ?? 0) === 0);
      });
    return {
      replies: this.replyIds.length,
      duplicated: [...received].filter(([, n]) => n > 1).map(([id]) => id),
      lost,
      unknown: replies.filter((r) => r.state === 'send-unknown').length,
      sent: replies.filter((r) => r.state === 'sent').length,
    };
  }
}
