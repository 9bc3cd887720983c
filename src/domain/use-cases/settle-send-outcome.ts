import { deliveryAfter, type MessagePatch, type MessageRecord } from '../model/message-record.js';
import type { DeliveryStatus } from '../model/delivery-status.js';
import type { SendFailureReason } from '../model/reasons.js';
import { SEND_OUTCOME_UNKNOWN } from '../ports/reply-channel.js';


/** A reason for a failed status that did not say why. */
const DELIVERY_FAILED = 'delivery_failed' satisfies SendFailureReason;

/**
 * True while the outcome of the record's last send is not known: marked `send-unknown` (or, by an
 * older sender, `failed` with the unknown-outcome reason), or still `sending` (its sender may have
 * died after the send).
 */
function outcomeOpen(record: MessageRecord): boolean {
  return (
    record.state === 'send-unknown' ||
    record.state === 'sending' ||
    (record.state === 'failed' && record.failure?.stage === 'send' && record.failure.reason === SEND_OUTCOME_UNKNOWN)
  );
}

/**
 * What a channel's status proves about a reply whose send answer we never got: the part it names
 * went out (any status, even `failed`, means the channel accepted it). Only the reply's last part,
 * and only the part that was in flight (every earlier one is recorded), settles the reply: a
 * status for an earlier part leaves the later ones unsent, which we cannot tell from it.
 * Null when the status settles nothing.
 */
export function settlementOf(record: MessageRecord, status: DeliveryStatus): MessagePatch | null {
  const ref = status.sentFor;
  if (ref?.kind !== 'reply' || ref.messageId !== record.message.id || !record.reply) return null;
  if (record.message.channel !== status.channel || record.message.accountId !== status.accountId) return null;
  if (!outcomeOpen(record) || ref.part !== record.outboundIds.length || ref.part !== ref.parts - 1) return null;
  const { delivery } = deliveryAfter(record.delivery, status);
  // A generation failure (the fallback's reason) stays, as the sender would have kept it.
  const kept = record.failure?.stage === 'generate' ? record.failure : undefined;
  return {
    state: status.status === 'failed' ? 'failed' : 'sent',
    leaseUntil: 0,
    outboundIds: [...record.outboundIds, status.outboundId],
    ...(delivery ? { delivery } : {}),
    failure: status.status === 'failed' ? { stage: 'send', reason: status.failureReason ?? DELIVERY_FAILED } : kept,
    resolved: { status: status.status, at: status.at },
  };
}
