import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { Scope } from '../../domain/model/api-key.js';
import {
  ConversationIdParam,
  ConversationPage,
  ConversationsQuery,
  ErasureRequest,
  ErasureResult,
  ErrorBody,
  ExportQuery,
  Summary,
  SummaryQuery,
  Timeseries,
  TimeseriesQuery,
  Transcript,
  TranscriptQuery,
} from './schemas.js';
import { AccountIdParam, ChannelSettingsBody, ChannelSettingsInput } from './channel-settings-schemas.js';
import { AgentReplyAccepted, AgentReplyRequest, HandoffRequest, HandoffResult, IdempotencyHeader, WaitingList, WaitingQuery } from './handoff-schemas.js';

const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const problem = (description: string) => json(ErrorBody, description);

/** The answers every authenticated route may give besides its own. */
const AUTH_ERRORS = {
  400: problem('A parameter is invalid; `error.message` says which and why'),
  401: problem('No valid API key (Authorization: Bearer <key>)'),
  403: problem('The API key lacks the scope of this route'),
} as const;

/** A route with the scope its API key needs; the OpenAPI document carries it as `x-required-scope`. */
function secured<R extends RouteConfig>(scope: Scope, route: R): R & { 'x-required-scope': Scope } {
  return createRoute({ ...route, security: [{ bearer: [] }], 'x-required-scope': scope });
}

export const summaryRoute = secured('analytics:read', {
  method: 'get',
  path: '/api/v1/analytics/summary',
  tags: ['analytics'],
  summary: 'Volumes, users, reply latency, tokens, cost, failures, agent replies and tool calls over a time range',
  description: 'Latency percentiles are nearest-rank values within 1 % (at least 1 ms).',
  request: { query: SummaryQuery },
  responses: { 200: json(Summary, 'The summary'), ...AUTH_ERRORS },
});

export const timeseriesRoute = secured('analytics:read', {
  method: 'get',
  path: '/api/v1/analytics/timeseries',
  tags: ['analytics'],
  summary: 'One metric per hour or per day (UTC, or the local hours and days of `tz`), empty buckets included',
  request: { query: TimeseriesQuery },
  responses: { 200: json(Timeseries, 'The series'), ...AUTH_ERRORS },
});

export const conversationsRoute = secured('analytics:read', {
  method: 'get',
  path: '/api/v1/conversations',
  tags: ['conversations'],
  summary: 'Conversations active in the range, newest activity first (cursor pagination)',
  request: { query: ConversationsQuery },
  responses: { 200: json(ConversationPage, 'A page of conversations'), ...AUTH_ERRORS },
});

export const transcriptRoute = secured('analytics:read', {
  method: 'get',
  path: '/api/v1/conversations/{id}/messages',
  tags: ['conversations'],
  summary: "A conversation's messages with their replies (from the chat store), oldest first, a page at a time",
  request: { params: ConversationIdParam, query: TranscriptQuery },
  responses: { 200: json(Transcript, 'The transcript'), ...AUTH_ERRORS, 404: problem('No such conversation') },
});

export const exportRoute = secured('analytics:read', {
  method: 'get',
  path: '/api/v1/export/conversations.csv',
  tags: ['conversations'],
  summary: 'Every conversation active in the range as CSV, one row per conversation, streamed',
  request: { query: ExportQuery },
  responses: {
    200: {
      content: { 'text/csv': { schema: { type: 'string' } } },
      description: 'RFC 4180 CSV with a header row: the fields of a conversation in the list, ending with `mode`, `agent_replies` (replies people wrote in it whose send ended in the range) and `tool_calls` (the tools the model called in it in the range)',
    },
    ...AUTH_ERRORS,
  },
});

export const erasureRoute = secured('admin', {
  method: 'post',
  path: '/api/v1/erasures',
  tags: ['privacy'],
  summary: "Erase every conversation of one participant on a channel, whatever its id, with its dead letters and analytics facts (right to erasure); idempotent",
  request: { body: { content: { 'application/json': { schema: ErasureRequest } }, required: true } },
  responses: { 200: json(ErasureResult, 'What was deleted'), ...AUTH_ERRORS, 415: problem('The body is not JSON') },
});

export const channelSettingsRoute = secured('admin', {
  method: 'get',
  path: '/api/v1/channels/{accountId}/settings',
  tags: ['channels'],
  summary: "A channel's settings as JSON (what it leaves out takes the configured default); PUT it back unchanged to restore it",
  request: { params: AccountIdParam },
  responses: { 200: json(ChannelSettingsBody, "The channel's settings"), ...AUTH_ERRORS },
});

export const putChannelSettingsRoute = secured('admin', {
  method: 'put',
  path: '/api/v1/channels/{accountId}/settings',
  tags: ['channels'],
  summary: "Replaces a channel's settings, validated exactly as the dashboard's channel form; the dashboard edits the same record",
  request: { params: AccountIdParam, body: { content: { 'application/json': { schema: ChannelSettingsInput } }, required: true } },
  responses: { 200: json(ChannelSettingsBody, 'The settings as saved'), ...AUTH_ERRORS, 415: problem('The body is not JSON') },
});

/** Every authenticated route: the authorisation tests are generated from this table. */

export const handoffRoute = secured('conversations:write', {
  method: 'post',
  path: '/api/v1/conversations/{id}/handoff',
  tags: ['handoff'],
  summary: 'Take a conversation over for a person (the model is no longer called) or hand it back to the bot',
  request: { params: ConversationIdParam, body: { content: { 'application/json': { schema: HandoffRequest } }, required: true } },
  responses: { 200: json(HandoffResult, 'Who answers the conversation now'), ...AUTH_ERRORS, 404: problem('No such conversation'), 415: problem('The body is not JSON') },
});

export const agentReplyRoute = secured('conversations:write', {
  method: 'post',
  path: '/api/v1/conversations/{id}/replies',
  tags: ['handoff'],
  summary: "Reply as the agent in a conversation a person took over: sent once through the conversation's channel",
  description: 'Accepted (202) once stored; the worker sends it. Read its state in the transcript. WhatsApp allows free text only within 24 hours of the person\'s last message.',
  request: { params: ConversationIdParam, headers: IdempotencyHeader, body: { content: { 'application/json': { schema: AgentReplyRequest } }, required: true } },
  responses: {
    202: json(AgentReplyAccepted, 'Stored, and sent by the worker'),
    ...AUTH_ERRORS,
    404: problem('No such conversation'),
    409: problem('`conversation_not_taken_over`, `outside_service_window` (send `{"template": true}`), `no_window_template` or `idempotency_key_reused`'),
    415: problem('The body is not JSON'),
  },
});

export const waitingRoute = secured('conversations:write', {
  method: 'get',
  path: '/api/v1/handoff/waiting',
  tags: ['handoff'],
  summary: 'Conversations waiting for a person (asked for one, nobody took them yet), longest waiting first',
  request: { query: WaitingQuery },
  responses: { 200: json(WaitingList, 'The "needs a human" queue'), ...AUTH_ERRORS },
});

export const HANDOFF_ROUTES = [handoffRoute, agentReplyRoute, waitingRoute];

export const SECURED_ROUTES = [summaryRoute, timeseriesRoute, conversationsRoute, transcriptRoute, exportRoute, erasureRoute, channelSettingsRoute, putChannelSettingsRoute, ...HANDOFF_ROUTES];
