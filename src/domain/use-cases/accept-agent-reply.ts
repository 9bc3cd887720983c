import { agentReplyIdFor, isIdempotencyKey, newAgentReply, sameAgentRequest, type AgentReply, type AgentTemplate } from '../model/agent-reply.js';
import { AgentReplyRefusedError, ConversationNotFoundError, ValidationError } from '../model/errors.js';
import { isAgentName } from '../model/handoff.js';
import type { AgentReplyLog } from '../ports/agent-reply-log.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { MessageBus } from '../ports/message-bus.js';
import { toBusMessage } from './accept-whatsapp-notification.js';

/** WhatsApp's customer service window: free-form messages only this long after the person last wrote. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The longest agent reply: WhatsApp's text body limit (one message, never split). */
export const AGENT_TEXT_MAX = 4096;

export interface AgentReplyInput {
  conversationId: string;
  /** The same key again (a retried request, a double click) is the same reply: it is sent once. */
  idempotencyKey: string;
  /** Who writes: defaults to the agent who took the conversation over. */
  agent?: string;
  /** The text, or `template: true` for the channel's window template (outside the 24 h window). */
  text?: string;
  template?: boolean;
}

/**
 * An agent's reply in a conversation a person took over, accepted for sending: stored first (once
 * per idempotency key), then handed to the worker on the conversation's ordered stream, which
 * sends it exactly once. WhatsApp allows free text only inside the 24 h window; outside it only
 * the channel's window template.
 */
export class AcceptAgentReply {
  constructor(
    private readonly store: AgentReplyLog & ConversationArchive & ChannelSettingsStore,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  async execute(input: AgentReplyInput): Promise<{ reply: AgentReply; created: boolean }> {
    validate(input);
    const conversation = await this.store.getConversation(input.conversationId);
    if (!conversation) throw new ConversationNotFoundError(input.conversationId);
    const handoff = conversation.handoff;
    if (handoff?.mode !== 'human') {
      throw new AgentReplyRefusedError('conversation_not_taken_over', 'the bot answers this conversation: take it over (POST …/handoff {"action":"take"}) before replying');
    }
    const agent = input.agent ?? handoff.agent;
    if (agent === undefined) throw new ValidationError('agent is required: nobody has taken this conversation over by name');
    const [newest] = await this.store.messages(conversation.id, { limit: 1 });
    if (!newest) throw new ConversationNotFoundError(conversation.id);
    const now = this.clock.now();
    const template = input.template ? await this.windowTemplate(conversation.accountId, conversation.channel) : undefined;
    if (!template && conversation.channel === 'whatsapp' && now - newest.message.receivedAt >= SERVICE_WINDOW_MS) {
      throw new AgentReplyRefusedError('outside_service_window', 'the person last wrote over 24 hours ago: WhatsApp allows only a template now (send {"template": true})');
    }
    const wanted = {
      id: agentReplyIdFor(conversation.id, input.idempotencyKey),
      conversationId: conversation.id,
      inReplyTo: newest.message.id,
      agent,
      text: template ? template.name : input.text!,
      createdAt: now,
      ...(template ? { template } : {}),
    };
    const stored = await this.store.addAgentReply(newAgentReply(wanted));
    if (!stored.created && !sameAgentRequest(stored.reply, wanted)) {
      throw new AgentReplyRefusedError('idempotency_key_reused', 'this Idempotency-Key was used for another reply in this conversation');
    }
    // Published again while it waits: a request retried after a lost publish still gets it sent.
    if (stored.reply.state === 'queued') {
      await this.bus.publish('inbound', [toBusMessage({ kind: 'agent-reply', conversationId: conversation.id, replyId: stored.reply.id })]);
    }
    return stored;
  }

  private async windowTemplate(accountId: string, channel: string): Promise<AgentTemplate> {
    const template = channel === 'whatsapp' ? (await this.store.channelSettings(accountId))?.windowTemplate : undefined;
    if (!template) throw new AgentReplyRefusedError('no_window_template', 'this channel has no window template: set one in its settings');
    return { name: template.name, language: template.language };
  }
}

function validate(input: AgentReplyInput): void {
  const problems: string[] = [];
  if (!isIdempotencyKey(input.idempotencyKey)) problems.push('Idempotency-Key must be 1–200 printable ASCII characters');
  if (input.agent !== undefined && !isAgentName(input.agent)) problems.push('agent must be a name of 1–80 characters on one line');
  if (input.template) {
    if (input.text !== undefined) problems.push('give text or template, not both');
  } else if (input.text === undefined || !input.text.trim()) problems.push('text must not be empty');
  else if (input.text.length > AGENT_TEXT_MAX) problems.push(`text must be at most ${AGENT_TEXT_MAX} characters`);
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
}
