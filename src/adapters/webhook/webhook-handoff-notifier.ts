import type { HandoffNotice, HandoffNotifier } from '../../domain/ports/handoff-notifier.js';
import { postSignedWebhook, type SignedPostOptions } from './signed-post.js';

/** Posts a `conversation.handoff_requested` event to the channel's notify URL, signed like callbacks. */
export class WebhookHandoffNotifier implements HandoffNotifier {
  constructor(private readonly options: SignedPostOptions) {}

  async notify(notice: HandoffNotice): Promise<void> {
    const body = JSON.stringify({
      type: 'conversation.handoff_requested',
      conversationId: notice.conversationId,
      channel: notice.channel,
      accountId: notice.accountId,
      participant: notice.participant,
      requestedBy: notice.requestedBy,
      waitingSince: new Date(notice.waitingSince).toISOString(),
      dashboardPath: `/admin/conversations/${encodeURIComponent(notice.conversationId)}`,
    });
    await postSignedWebhook(new URL(notice.url), notice.id, body, this.options);
  }
}
