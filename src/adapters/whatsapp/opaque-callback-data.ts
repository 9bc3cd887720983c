import type { SendReference } from '../../domain/model/delivery-status.js';

// `biz_opaque_callback_data` (at most 512 characters): any string we put on a send, echoed by
// Meta in every status webhook of that message. Ours names the message a send answers and which
// part of the reply it is, so a status settles a send whose answer we never got. Data that is
// not ours (another system sending from the same number) is ignored.
const MAX_LENGTH = 512;
const PREFIX = 'vocoeng:1:';
const REPLY = /^vocoeng:1:r:(\d{1,6}):(\d{1,6}):(.+)$/s;
const TEMPLATE = /^vocoeng:1:t:(.+)$/s;

/** The opaque data of a send, or undefined when the message id is too long to fit. */
export function opaqueDataOf(ref: SendReference): string | undefined {
  const data = ref.kind === 'reply' ? `${PREFIX}r:${ref.part}:${ref.parts}:${ref.messageId}` : `${PREFIX}t:${ref.messageId}`;
  return data.length <= MAX_LENGTH ? data : undefined;
}

/** The opaque data of an agent's reply (human handoff): ours, but naming no bot reply, so its statuses are recorded only. */
export function agentOpaqueDataOf(replyId: string): string | undefined {
  const data = `${PREFIX}a:${replyId}`;
  return data.length <= MAX_LENGTH ? data : undefined;
}

/** The send a status's opaque data names, when it is ours and well-formed. */
export function sendReferenceOf(data: unknown): SendReference | undefined {
  if (typeof data !== 'string') return undefined;
  const reply = REPLY.exec(data);
  if (reply) {
    const part = Number(reply[1]);
    const parts = Number(reply[2]);
    return part < parts ? { kind: 'reply', messageId: reply[3]!, part, parts } : undefined;
  }
  const template = TEMPLATE.exec(data);
  return template ? { kind: 'template', messageId: template[1]! } : undefined;
}
