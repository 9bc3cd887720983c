import { TOKENS } from '../composition/tokens.js';
import { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import { listenerRoutes } from '../http/listener-routes.js';
import { API_ACCOUNT_ID, type ComposeRole } from './role-module.js';

/** ROLE=listener: verify, parse, publish, answer. No AI, no database: nothing else is bound or loaded. */
export const composeRole: ComposeRole = async (config) => ({
  providers: {
    [TOKENS.AcceptWhatsAppNotification]: (resolve) => new AcceptWhatsAppNotification(resolve(TOKENS.MessageBus)),
    [TOKENS.AcceptApiMessage]: (resolve) => new AcceptApiMessage(resolve(TOKENS.MessageBus), resolve(TOKENS.Clock)),
  },
  attach: (wiring) => ({
    groups: [
      listenerRoutes({
        acceptWhatsApp: wiring.get(TOKENS.AcceptWhatsAppNotification),
        acceptApi: wiring.get(TOKENS.AcceptApiMessage),
        ...(config.WHATSAPP_APP_SECRET && config.WHATSAPP_VERIFY_TOKEN
          ? { whatsapp: { appSecret: config.WHATSAPP_APP_SECRET, verifyToken: config.WHATSAPP_VERIFY_TOKEN } }
          : {}),
        ...(config.API_WEBHOOK_SECRET ? { apiWebhookSecret: config.API_WEBHOOK_SECRET } : {}),
        apiAccountId: API_ACCOUNT_ID,
        clock: wiring.get(TOKENS.Clock),
        logger: wiring.get(TOKENS.Logger),
        metrics: wiring.get(TOKENS.Metrics),
      }),
    ],
  }),
});
