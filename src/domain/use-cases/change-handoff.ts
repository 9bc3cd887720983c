import { ConversationNotFoundError, DomainError } from '../model/errors.js';
import { handoffAfter, type Handoff, type HandoffAction } from '../model/handoff.js';
import { userKeyFor } from '../model/ids.js';
import type { Conversation } from '../model/conversation.js';
import type { ModeInteraction } from '../model/interaction.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { HandoffLog } from '../ports/handoff-log.js';
import type { MessageBus } from '../ports/message-bus.js';

/** Compare-and-set attempts when another change of the same conversation's handoff races this one. */
const MAX_ATTEMPTS = 5;

export interface HandoffResult {
  conversation: Conversation;
  handoff: Handoff;
  /** False when the action changed nothing (taken by the same agent, released while the bot answers, asked for twice). */
  changed: boolean;
}

/**
 * Takes a conversation over for a person, hands it back to the bot, or puts it in the "needs a
 * human" queue; publishes the mode fact the analytics show. The fact of the current mode is
 * published on every call, changed or not: its id names the switch, so a request retried after
 * a lost publish completes it and a repeat is a duplicate.
 */
export class ChangeHandoff {
  constructor(
    private readonly store: HandoffLog & ConversationArchive,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  async execute(conversationId: string, action: HandoffAction): Promise<HandoffResult> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.store.handoff(conversationId);
      if (!current) throw new ConversationNotFoundError(conversationId);
      const next = handoffAfter(current, action, this.clock.now());
      const written = next ? await this.store.replaceHandoff(conversationId, current.version, next) : current;
      if (!written) continue;
      if (written.since > 0) await this.bus.publish('interactions', [{ event: modeFactOf(conversation, written), orderingKey: conversationId }]);
      return { conversation: { ...conversation, handoff: written }, handoff: written, changed: next !== null };
    }
    throw new DomainError('chat_store_unavailable', `the handoff of ${conversationId} kept changing; try again`, true);
  }
}

/** The analytics fact of a conversation's current mode: one id per switch (its mode and time). */
export function modeFactOf(conversation: Conversation, handoff: Handoff): ModeInteraction {
  return {
    type: 'mode',
    eventId: `mode:${conversation.id}:${handoff.mode}:${handoff.since}`,
    occurredAt: handoff.since,
    channel: conversation.channel,
    accountId: conversation.accountId,
    conversationId: conversation.id,
    userKey: userKeyFor(conversation.channel, conversation.accountId, conversation.participant.id),
    mode: handoff.mode,
  };
}
