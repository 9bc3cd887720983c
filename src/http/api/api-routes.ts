import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { interactionEventSchema } from '../../adapters/codec/event-schemas.js';
import { ValidationError } from '../../domain/model/errors.js';
import type { Channel } from '../../domain/model/ids.js';
import { timeZoneOf } from '../../domain/model/time-zone.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { ChannelSettingsStore } from '../../domain/ports/channel-settings-store.js';
import type { EraseParticipant } from '../../domain/use-cases/erase-participant.js';
import type { GetTranscript } from '../../domain/use-cases/get-transcript.js';
import type { QueryAnalytics } from '../../domain/use-cases/query-analytics.js';
import type { RecordInteraction } from '../../domain/use-cases/record-interaction.js';
import type { Logger } from '../../observability/logger.js';
import { csvStream, FULL_CSV_COLUMNS, withParticipantIds } from './csv.js';
import { docsRoutes } from './docs.js';
import { handoffRoutes, type HandoffDeps } from './handoff-routes.js';
import { channelSettingsBody, settingsOfInput } from './channel-settings-schemas.js';
import {
  channelSettingsRoute,
  conversationsRoute,
  erasureRoute,
  exportRoute,
  putChannelSettingsRoute,
  SECURED_ROUTES,
  summaryRoute,
  timeseriesRoute,
  transcriptRoute,
} from './route-definitions.js';
import { parseTime } from './schemas.js';
import { decodeTranscriptCursor, transcriptBody } from './transcript-body.js';
import type { ApiKeyVerifier } from '../auth/api-keys.js';
import { requireScope, type AuthVariables } from '../auth/bearer.js';
import type { PushAuthenticator } from '../auth/push-oidc.js';
import { errorBody, errorResponse } from '../errors.js';
import { noStore } from '../no-store.js';
import { handlePush } from '../pubsub-push.js';

/** Runs `work` in a unit of work of its own (a MikroORM RequestContext for the database adapters). */
export type RequestScope = <T>(work: () => Promise<T>) => Promise<T>;

export interface ApiDeps {
  queryAnalytics: QueryAnalytics;
  getTranscript: GetTranscript;
  recordInteraction: RecordInteraction;
  eraseParticipant: EraseParticipant;
  /** The record the dashboard's channel form edits too. */
  channelSettings: ChannelSettingsStore;
  /** Human handoff: take over, agent replies, the queue. */
  handoff: HandoffDeps;
  apiKeys: ApiKeyVerifier;
  clock: Clock;
  logger: Logger;
  /** Checks the push OIDC token of the interactions push. */
  pushAuth: PushAuthenticator;
  /** The account id of the generic API channel (erasure requests may omit it for that channel). */
  apiAccountId: string;
  requestScope?: RequestScope;
}

const DAY_MS = 24 * 3600 * 1000;

/** The analytics JSON API (Bearer API keys, OpenAPI at `/openapi.json`, Swagger UI at `/docs`) and analytics ingestion. */
export function apiRoutes(deps: ApiDeps): Hono {
  const app = new OpenAPIHono<{ Variables: AuthVariables }>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const message = result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
        return c.json(errorBody('validation_failed', message), 400);
      }
      return undefined;
    },
  });
  const scope = deps.requestScope ?? ((work) => work());
  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.use('/api/*', secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }));
  app.use('/api/*', noStore());
  app.use('/api/*', (_c, next) => scope(() => next()));
  // Authentication before validation: without a key nothing about the parameters is revealed.
  for (const route of SECURED_ROUTES) app.on(route.method.toUpperCase(), route.path.replace(/\{(\w+)\}/g, ':$1'), requireScope(deps.apiKeys, route['x-required-scope']));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API key: `vk_…`' });

  app.openapi(summaryRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json(await deps.queryAnalytics.summary(rangeOf(query, deps.clock.now()), { conversationCosts: query.include === 'conversationCosts' }), 200);
  });

  app.openapi(timeseriesRoute, async (c) => {
    const query = c.req.valid('query');
    const { from, to, points } = await deps.queryAnalytics.timeseries({ ...rangeOf(query, deps.clock.now()), metric: query.metric, interval: query.interval, ...(query.tz ? { timeZone: query.tz } : {}) });
    return c.json({ metric: query.metric, interval: query.interval, tz: query.tz ?? 'UTC', from: iso(from), to: iso(to), points: points.map((p) => ({ at: iso(p.at), value: p.value })) }, 200);
  });

  app.openapi(conversationsRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.queryAnalytics.conversations({
      ...rangeOf(query, deps.clock.now()),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.mode ? { mode: query.mode } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.q ? { search: query.q } : {}),
    });
    return c.json(
      {
        items: page.items.map((item) => ({ ...item, firstMessageAt: iso(item.firstMessageAt), lastMessageAt: iso(item.lastMessageAt) })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(transcriptRoute, async (c) => {
    const { cursor, limit, participant } = c.req.valid('query');
    const principal = c.get('principal');
    if (participant === 'full' && !principal.scopes.has('admin')) return c.json(errorBody('forbidden', 'participant=full needs an API key with the admin scope'), 403) as never;
    const id = c.req.valid('param').id;
    const page = await deps.getTranscript.page(id, { ...(cursor ? { after: decodeTranscriptCursor(cursor) } : {}), limit });
    if (participant === 'full') deps.logger.info('participant shown in full', { conversationId: id, keyId: principal.keyId });
    return c.json(transcriptBody(page, participant), 200);
  });

  app.openapi(exportRoute, async (c) => {
    const query = c.req.valid('query');
    const principal = c.get('principal');
    const full = query.participant === 'full';
    if (full && !principal.scopes.has('admin')) return c.json(errorBody('forbidden', 'participant=full needs an API key with the admin scope'), 403) as never;
    const rows = deps.queryAnalytics.exportConversations(rangeOf(query, deps.clock.now()));
    if (full) deps.logger.info('participants exported in full', { keyId: principal.keyId });
    const onError = (error: unknown) => deps.logger.error('CSV export failed mid-stream', { error: error instanceof Error ? error.message : String(error) });
    const stream = full
      ? csvStream(withParticipantIds(rows, (ids) => deps.getTranscript.participantIds(ids)), onError, FULL_CSV_COLUMNS)
      : csvStream(rows, onError);
    return c.body(stream, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="conversations.csv"' }) as never;
  });

  app.openapi(erasureRoute, async (c) => {
    const body = c.req.valid('json');
    const channel = body.channel as Channel;
    const accountId = body.accountId ?? (channel === 'api' ? deps.apiAccountId : undefined);
    if (!accountId) throw new ValidationError('accountId: required for the whatsapp channel (its phone_number_id)');
    const result = await deps.eraseParticipant.execute({ channel, accountId, participantId: body.participantId });
    deps.logger.info('participant erased', { conversationIds: result.conversationIds, messages: result.messages, deadLetters: result.deadLetters, interactions: result.interactions, statuses: result.statuses, keyId: c.get('principal').keyId });
    return c.json(result, 200);
  });

  app.openapi(channelSettingsRoute, async (c) => {
    const { accountId } = c.req.valid('param');
    return c.json(channelSettingsBody(accountId, await deps.channelSettings.channelSettings(accountId)), 200);
  });

  app.openapi(putChannelSettingsRoute, async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    if (input.accountId !== undefined && input.accountId !== accountId) throw new ValidationError(`accountId: the body names ${JSON.stringify(input.accountId)}, the path ${JSON.stringify(accountId)}`);
    const settings = settingsOfInput(accountId, input, deps.clock.now());
    await deps.channelSettings.saveChannelSettings(settings);
    // Which fields, never their values: a prompt may hold what a business keeps to itself.
    deps.logger.info('channel settings saved through the API', { accountId, fields: Object.keys(settings).filter((f) => f !== 'accountId' && f !== 'updatedAt'), keyId: c.get('principal').keyId });
    return c.json(channelSettingsBody(accountId, settings), 200);
  });

  handoffRoutes(app, deps.handoff, deps.logger);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'VocoEng analytics API', version: '1.0.0', description: 'Analytics of the conversations VocoEng answers. Every `/api/v1` route needs `Authorization: Bearer <API key>`.' },
  });
  app.route('/', docsRoutes());

  app.post('/internal/pubsub/interactions', (c) =>
    handlePush(
      c,
      interactionEventSchema,
      ({ messageId, event }) =>
        scope(async () => {
          const result = await deps.recordInteraction.execute(event);
          deps.logger.info('interaction recorded', { messageId, eventId: event.eventId, type: event.type, result });
        }),
      deps.logger,
      deps.pushAuth,
    ),
  );

  return app as unknown as Hono;
}

/** `from`/`to` as ISO 8601 or epoch ms (a date alone: midnight in `tz`, else UTC); defaults to the last 30 days. */
function rangeOf(query: { from?: string | undefined; to?: string | undefined; channel?: string | undefined; tz?: string | undefined }, now: number): { from: number; to: number; channel?: Channel } {
  const zone = query.tz === undefined ? undefined : timeZoneOf(query.tz);
  const to = query.to ? parseTime(query.to, zone) : now;
  const from = query.from ? parseTime(query.from, zone) : to - 30 * DAY_MS;
  return { from, to, ...(query.channel ? { channel: query.channel as Channel } : {}) };
}

const iso = (ms: number): string => new Date(ms).toISOString();
