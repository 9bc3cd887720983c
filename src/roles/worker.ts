import { chatStoreProviders } from '../composition/chat-store.js';
import { pushAuthProviders } from '../composition/push-auth.js';
import { replyAdapterProviders } from '../composition/reply-adapters.js';
import { replyPolicyOf } from '../composition/reply-policy.js';
import { TOKENS } from '../composition/tokens.js';
import type { Providers, Wiring } from '../composition/wiring.js';
import type { Config } from '../config/config.js';
import { ApplyDeliveryStatus } from '../domain/use-cases/apply-delivery-status.js';
import { HandleInboundEvent } from '../domain/use-cases/handle-inbound-event.js';
import { ReplyToMessage } from '../domain/use-cases/reply-to-message.js';
import { SendAgentReply } from '../domain/use-cases/send-agent-reply.js';
import { workerRoutes } from '../http/worker-routes.js';
import { MeteredCompletionModel } from '../observability/metered-completion-model.js';
import { consumeInbound } from './consume-inbound.js';
import type { ComposeRole, RolePart } from './role-module.js';

/** ROLE=worker: one use case per inbound event, taken by Pub/Sub push (default) or streaming pull. */
export const composeRole: ComposeRole = async (config, { logger, pushCertificates, database }) => {
  const pull = config.WORKER_MODE === 'pull' ? await import('./pull-ingress.js') : undefined;
  return {
    providers: {
      ...(await chatStoreProviders(config, database)),
      ...(await replyAdapterProviders(config, logger)),
      ...(pull ? {} : pushAuthProviders(config, pushCertificates)),
      ...workerUseCases,
    },
    attach: (wiring, draining) => (pull ? pull.pullIngress(wiring, config) : pushIngress(wiring, config, draining)),
  };
};

/** The push endpoint: a message waits in the process for its turn for up to one lease (its predecessor is answered by then or taken over). */
function pushIngress(wiring: Wiring, config: Config, draining: AbortSignal): RolePart {
  const logger = wiring.get(TOKENS.Logger);
  const consume = consumeInbound(wiring.get(TOKENS.HandleInboundEvent), logger);
  return { groups: [workerRoutes({ consume, logger, pushAuth: wiring.get(TOKENS.PushAuthenticator), turnWaitMs: config.REPLY_LEASE_MS, draining })] };
}

/** The worker's use cases: plain classes, made by factories so the core stays decorator-free. */
export const workerUseCases: Providers = {
  [TOKENS.ReplyPolicy]: (resolve) => replyPolicyOf(resolve(TOKENS.Config)),
  [TOKENS.ReplyToMessage]: (resolve) => {
    const metrics = resolve(TOKENS.Metrics);
    const model = resolve(TOKENS.CompletionModel);
    return new ReplyToMessage(
      resolve(TOKENS.ChatStore),
      // The model is wrapped only when metrics are on: the off path calls it directly.
      metrics.enabled ? new MeteredCompletionModel(model, metrics) : model,
      resolve(TOKENS.ReplyChannel),
      resolve(TOKENS.MessageBus),
      resolve(TOKENS.Clock),
      resolve(TOKENS.ReplyPolicy),
      resolve(TOKENS.TokenCounter),
      resolve(TOKENS.Transcriber),
      metrics,
      resolve(TOKENS.HandoffNotifier),
      resolve(TOKENS.ToolKit),
    );
  },
  [TOKENS.ApplyDeliveryStatus]: (resolve) => new ApplyDeliveryStatus(resolve(TOKENS.ChatStore), resolve(TOKENS.MessageBus), resolve(TOKENS.ReplyChannel), resolve(TOKENS.Clock), resolve(TOKENS.Config).WHATSAPP_RATE_CARD),
  [TOKENS.HandleInboundEvent]: (resolve) => {
    const policy = resolve(TOKENS.ReplyPolicy);
    const agentReply = new SendAgentReply(resolve(TOKENS.ChatStore), resolve(TOKENS.ReplyChannel), resolve(TOKENS.MessageBus), resolve(TOKENS.Clock), policy);
    return new HandleInboundEvent(resolve(TOKENS.ReplyToMessage), resolve(TOKENS.ApplyDeliveryStatus), agentReply);
  },
};
