import type { AgentReply, AgentReplyPatch } from '../../domain/model/agent-reply.js';

/** Every patchable field: a field added to the model fails to compile here until it is listed. */
const PATCHABLE: readonly (keyof AgentReplyPatch)[] = Object.keys({
  inReplyTo: true,
  agent: true,
  text: true,
  template: true,
  createdAt: true,
  state: true,
  leaseUntil: true,
  outboundIds: true,
  sendAttempts: true,
  failureReason: true,
  settledAt: true,
  recorded: true,
  updatedAt: true,
} satisfies Record<keyof AgentReplyPatch, true>) as (keyof AgentReplyPatch)[];

/**
 * A patch as the chat store adapters write it: the fields it sets (without `undefined`, ids and
 * version, which a patch never changes) and the fields it removes (set to `undefined`).
 */
export function agentReplyChanges(patch: AgentReplyPatch): { set: Partial<AgentReply>; removed: string[] } {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const field of PATCHABLE) {
    if (!Object.hasOwn(patch, field)) continue;
    if (patch[field] === undefined) removed.push(field);
    else set[field] = structuredClone(patch[field]);
  }
  return { set: set as Partial<AgentReply>, removed };
}

/** The reply after `patch`, one version on. */
export function agentReplyAfter(current: AgentReply, patch: AgentReplyPatch): AgentReply {
  const { set, removed } = agentReplyChanges(patch);
  const next: Record<string, unknown> = { ...current, ...set, version: current.version + 1 };
  for (const field of removed) delete next[field];
  return next as unknown as AgentReply;
}
