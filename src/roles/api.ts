import { apiStoreProviders } from '../composition/api-stores.js';
import { chatStoreProviders } from '../composition/chat-store.js';
import { pushAuthProviders } from '../composition/push-auth.js';
import { retentionSweep } from '../composition/retention-sweep.js';
import { TOKENS } from '../composition/tokens.js';
import type { Providers } from '../composition/wiring.js';
import { ApplyRetention } from '../domain/use-cases/apply-retention.js';
import { EraseParticipant } from '../domain/use-cases/erase-participant.js';
import { GetTranscript } from '../domain/use-cases/get-transcript.js';
import { AcceptAgentReply } from '../domain/use-cases/accept-agent-reply.js';
import { ChangeHandoff } from '../domain/use-cases/change-handoff.js';
import { ListDeadLetters } from '../domain/use-cases/list-dead-letters.js';
import { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import { ReplayDeadLetter } from '../domain/use-cases/replay-dead-letter.js';
import { apiRoutes, type RequestScope } from '../http/api/api-routes.js';
import { deadLetterPushRoutes } from '../http/api/dead-letter-push-routes.js';
import { adminGroup, ensureFirstAdmin } from './api-admin.js';
import { API_ACCOUNT_ID, type ComposeRole } from './role-module.js';

/** Rows one retention statement deletes: a few milliseconds of locks, so ingestion never waits long. */
const RETENTION_BATCH_ROWS = 500;

/** ROLE=api: analytics ingestion and queries, the dashboard, dead letters, retention. */
export const composeRole: ComposeRole = async (config, { database, pushCertificates }) => {
  // Each request in a unit of work of its own (a MikroORM RequestContext) when there is a database.
  const requestScope: RequestScope | undefined = database ? (await import('../adapters/postgres/database.js')).requestScopeOf(database) : undefined;
  const scoped = requestScope ? { requestScope } : {};
  const chatStore = await chatStoreProviders(config, database);
  return {
    providers: {
      ...chatStore,
      ...(await apiStoreProviders(config, database)),
      ...pushAuthProviders(config, pushCertificates),
      ...apiUseCases,
      // A chat store without a TTL of its own is swept with the dead letters and analytics.
      [TOKENS.ApplyRetention]: applyRetentionOf(chatStore[TOKENS.TranscriptExpiry] !== undefined),
    },
    attach: (wiring) => {
      const [clock, logger, pushAuth] = [wiring.get(TOKENS.Clock), wiring.get(TOKENS.Logger), wiring.get(TOKENS.PushAuthenticator)];
      // The api owns the dead letters and the analytics facts, so it prunes them itself (no scheduler to deploy).
      const sweep = retentionSweep(wiring.get(TOKENS.ApplyRetention), logger);
      return {
        groups: [
          apiRoutes({
            queryAnalytics: wiring.get(TOKENS.QueryAnalytics),
            getTranscript: wiring.get(TOKENS.GetTranscript),
            recordInteraction: wiring.get(TOKENS.RecordInteraction),
            eraseParticipant: wiring.get(TOKENS.EraseParticipant),
            channelSettings: wiring.get(TOKENS.ChatStore),
            handoff: { change: wiring.get(TOKENS.ChangeHandoff), reply: wiring.get(TOKENS.AcceptAgentReply), queue: wiring.get(TOKENS.ChatStore) },
            apiKeys: wiring.get(TOKENS.ApiKeyVerifier),
            clock,
            logger,
            pushAuth,
            apiAccountId: API_ACCOUNT_ID,
            ...scoped,
          }),
          deadLetterPushRoutes({ deadLetters: wiring.get(TOKENS.DeadLetterStore), clock, logger, pushAuth, ...scoped }),
          adminGroup(wiring, requestScope),
        ],
        prepare: () => ensureFirstAdmin(config, wiring.get(TOKENS.AdminDirectory), clock, logger),
        start: () => sweep.start(),
        stop: () => sweep.stop(),
      };
    },
  };
};

/** The api's use cases: plain classes, made by factories so the core stays decorator-free. */
export const apiUseCases: Providers = {
  [TOKENS.RecordInteraction]: (resolve) => new RecordInteraction(resolve(TOKENS.AnalyticsStore)),
  [TOKENS.QueryAnalytics]: (resolve) => new QueryAnalytics(resolve(TOKENS.AnalyticsStore)),
  [TOKENS.GetTranscript]: (resolve) => new GetTranscript(resolve(TOKENS.ChatStore)),
  [TOKENS.EraseParticipant]: (resolve) =>
    new EraseParticipant(resolve(TOKENS.ChatStore), resolve(TOKENS.AnalyticsStore), resolve(TOKENS.Clock), resolve(TOKENS.DeadLetterStore)),
  [TOKENS.ReplayDeadLetter]: (resolve) => new ReplayDeadLetter(resolve(TOKENS.DeadLetterStore), resolve(TOKENS.MessageBus), resolve(TOKENS.Clock)),
  [TOKENS.ListDeadLetters]: (resolve) => new ListDeadLetters(resolve(TOKENS.DeadLetterStore)),
  [TOKENS.ChangeHandoff]: (resolve) => new ChangeHandoff(resolve(TOKENS.ChatStore), resolve(TOKENS.MessageBus), resolve(TOKENS.Clock)),
  [TOKENS.AcceptAgentReply]: (resolve) => new AcceptAgentReply(resolve(TOKENS.ChatStore), resolve(TOKENS.MessageBus), resolve(TOKENS.Clock)),
};

/** The retention sweep's use case; with `transcripts`, it also purges the chat store's expired transcripts. */
function applyRetentionOf(transcripts: boolean): Providers[typeof TOKENS.ApplyRetention] {
  return (resolve) => {
    const config = resolve(TOKENS.Config);
    const policy = { deadLetterDays: config.DEAD_LETTER_RETENTION_DAYS, analyticsDays: config.ANALYTICS_RETENTION_DAYS, batchSize: RETENTION_BATCH_ROWS };
    const expiry = transcripts ? resolve(TOKENS.TranscriptExpiry) : undefined;
    return new ApplyRetention(resolve(TOKENS.DeadLetterStore), resolve(TOKENS.AnalyticsStore), resolve(TOKENS.Clock), policy, expiry);
  };
}
