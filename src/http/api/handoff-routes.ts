import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HandoffAction } from '../../domain/model/handoff.js';
import { isAgentName } from '../../domain/model/handoff.js';
import { ValidationError } from '../../domain/model/errors.js';
import { maskedParticipant } from '../../domain/model/masked-participant.js';
import type { HandoffLog } from '../../domain/ports/handoff-log.js';
import type { AcceptAgentReply } from '../../domain/use-cases/accept-agent-reply.js';
import type { ChangeHandoff } from '../../domain/use-cases/change-handoff.js';
import type { Logger } from '../../observability/logger.js';
import type { AuthVariables } from '../auth/bearer.js';
import { agentReplyRoute, handoffRoute, waitingRoute } from './route-definitions.js';
import { agentReplyBody, handoffBody } from './transcript-body.js';

export interface HandoffDeps {
  change: ChangeHandoff;
  reply: AcceptAgentReply;
  /** The "needs a human" queue. */
  queue: Pick<HandoffLog, 'waitingForHuman'>;
}

/** Human handoff on the API (CONTRACT.md): take over / hand back, reply as the agent, the queue. */
export function handoffRoutes(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: HandoffDeps, logger: Logger): void {
  app.openapi(handoffRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    if (body.agent !== undefined && !isAgentName(body.agent)) throw new ValidationError('agent must be a name of 1–80 characters on one line');
    // Without a name, the key that took it over stands for the agent.
    const action: HandoffAction = body.action === 'take' ? { kind: 'take', agent: body.agent ?? `API key ${principal.keyId}` } : { kind: 'release' };
    const result = await deps.change.execute(id, action);
    logger.info('conversation handoff', { conversationId: id, action: body.action, mode: result.handoff.mode, changed: result.changed, keyId: principal.keyId });
    return c.json({ conversationId: id, changed: result.changed, ...handoffBody(result.handoff) }, 200);
  });

  app.openapi(agentReplyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const idempotencyKey = c.req.valid('header')['idempotency-key'] ?? randomUUID();
    const { reply, created } = await deps.reply.execute({
      conversationId: id,
      idempotencyKey,
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.template !== undefined ? { template: body.template } : {}),
      ...(body.agent !== undefined ? { agent: body.agent } : {}),
    });
    // Never the text: it may say what the person told the agent.
    logger.info('agent reply accepted', { conversationId: id, replyId: reply.id, created, state: reply.state, keyId: principal.keyId });
    return c.json({ conversationId: id, created, ...agentReplyBody(reply) }, 202);
  });

  app.openapi(waitingRoute, async (c) => {
    const { limit } = c.req.valid('query');
    const waiting = await deps.queue.waitingForHuman({ limit });
    return c.json(
      {
        items: waiting.map((conversation) => ({
          id: conversation.id,
          channel: conversation.channel,
          accountId: conversation.accountId,
          participant: maskedParticipant(conversation.channel, conversation.participant.id),
          profileName: conversation.participant.name ?? null,
          waitingSince: new Date(conversation.handoff?.waitingSince ?? conversation.lastMessageAt).toISOString(),
          requestedBy: conversation.handoff?.requestedBy ?? null,
        })),
      },
      200,
    );
  });
}
