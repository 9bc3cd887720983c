import { TOKENS } from '../composition/tokens.js';
import { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import { listenerRoutes } from '../http/listener-routes.js';
import { webhookHandlers } from '../http/webhook-handlers.js';
import { API_ACCOUNT_ID, type ComposeRole } from './role-module.js';

/** ROLE=listener: verify, parse, publish, answer. No AI, no database: nothing else is bound or loaded. */
export const composeRole: ComposeRole = async (config) => ({
  providers: {
    [TOKENS.AcceptWhatsAppNotification]: (resolve) => new AcceptWhatsAppNotification(resolve(TOKENS.MessageBus)),
    [TOKENS.AcceptApiMessage]: (resolve) => new AcceptApiMessage(resolve(TOKENS.MessageBus), resolve(TOKENS.Clock)),
  },
  attach: (wiring) => {
    const whatsapp = config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN ? { appSecret: config.WHATSAPP_APP_SECRET, verifyToken: config.WHATSAPP_VERIFY_TOKEN } : undefined;
    const webhooks = webhookHandlers({
      acceptWhatsApp: wiring.get(TOKENS.AcceptWhatsAppNotification),
      acceptApi: wiring.get(TOKENS.AcceptApiMessage),
      ...(whatsapp ? { whatsapp } : {}),
      ...(config.API_WEBHOOK_SECRET ? { apiWebhookSecret: config.API_WEBHOOK_SECRET } : {}),
      apiAccountId: API_ACCOUNT_ID,
      clock: wiring.get(TOKENS.Clock),
      logger: wiring.get(TOKENS.Logger),
      metrics: wiring.get(TOKENS.Metrics),
    });
    return { groups: [listenerRoutes(webhooks, whatsapp)], webhooks };
  },
});
