import type { Channel } from '../../domain/model/ids.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { OutboundReply, ReplyChannel, ReplyTemplate, SendResult } from '../../domain/ports/reply-channel.js';

/** Sends each reply through the adapter of the channel its message came from. */
export class RoutingReplyChannel implements ReplyChannel {
  constructor(readonly routes: Readonly<Record<Channel, ReplyChannel>>) {}

  send(reply: OutboundReply): Promise<SendResult> {
    return this.routes[reply.inReplyTo.channel].send(reply);
  }

  acknowledge(message: InboundMessage, options?: { typing?: boolean }): Promise<void> {
    return this.routes[message.channel].acknowledge(message, options);
  }

  sendTemplate(inReplyTo: InboundMessage, template: ReplyTemplate): Promise<SendResult> {
    return this.routes[inReplyTo.channel].sendTemplate(inReplyTo, template);
  }
}
