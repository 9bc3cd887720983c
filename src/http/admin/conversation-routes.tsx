import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Conversation } from '../../domain/model/conversation.js';
import { DomainError, type DomainErrorCode } from '../../domain/model/errors.js';
import { AGENT_NAME_MAX } from '../../domain/model/handoff.js';
import { SERVICE_WINDOW_MS } from '../../domain/use-cases/accept-agent-reply.js';
import { ConversationNotFoundError } from '../../domain/use-cases/get-transcript.js';
import { MAX_RANGE_MS } from '../../domain/use-cases/query-analytics.js';
import { decodeTranscriptCursor } from '../api/transcript-body.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { formOf, pick } from './form.js';
import { noticeOf } from './format.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { timeZoneChoice } from './time-zone-choice.js';
import type { HandoffControls } from './views/handoff-panel.js';
import { TranscriptEntries } from './views/transcript-entries.js';
import { TranscriptPage } from './views/transcript-page.js';

const TRANSCRIPT_PAGE_SIZE = 50;

/** Why the dashboard did not send an agent's reply, in words (the codes the reply use case refuses with). */
const REFUSALS: Partial<Record<DomainErrorCode, string>> = {
  conversation_not_taken_over: 'Not sent: the bot answers this conversation. Take it over first.',
  outside_service_window: 'Not sent: the person last wrote more than 24 hours ago, and WhatsApp allows only a template until they write again.',
  no_window_template: 'Not sent: this channel has no window template. Set one in its channel settings.',
  idempotency_key_reused: 'Not sent: this form was already used for another reply. Send it again from the form below.',
};

type AdminContext = Context<AdminEnv>;

/**
 * The signed-in user as the agent: the part of their e-mail address before the @ (the directory
 * keeps no names). The name is shown to the model after a hand-back, which may repeat it to the
 * customer: a staff address must not reach them.
 */
export const agentNameOf = (c: AdminContext): string => agentNameFromEmail(c.get('admin').user.email);

export const agentNameFromEmail = (email: string): string => (email.split('@')[0] || email).slice(0, AGENT_NAME_MAX);

const hereOf = (c: AdminContext, id: string): string => `${c.get('page').base}/conversations/${encodeURIComponent(id)}`;

/** A transcript cursor a form posted back, when it is one this dashboard made. */
function cursorOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    decodeTranscriptCursor(raw);
    return raw;
  } catch {
    return undefined;
  }
}

/** After a form: back to the page it was posted from, with a notice chosen by code (post/redirect/get). */
function backTo(c: AdminContext, id: string, cursor: string | undefined, done: string) {
  const query = new URLSearchParams({ ...(cursor ? { cursor } : {}), done });
  return c.redirect(`${hereOf(c, id)}?${query.toString()}`, 303);
}

const notFound = (c: AdminContext) => renderMessage(c, 404, 'No such conversation', 'This conversation does not exist, or it was erased.', c.get('page').base);

/** A conversation's page: its transcript (polled live on the latest page), who answers it, and the reply form. */
export function conversationRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  /** Free text, or only the channel's window template once WhatsApp's 24 h window closed. */
  async function windowOf(conversation: Conversation, now: number): Promise<HandoffControls['window']> {
    if (conversation.channel !== 'whatsapp' || now - conversation.lastMessageAt < SERVICE_WINDOW_MS) return { open: true };
    const template = (await deps.channels.channelSettings(conversation.accountId))?.windowTemplate;
    return { open: false, template: template ?? null };
  }

  async function show(c: AdminContext, id: string, options: { cursor?: string | undefined; problem?: string; draft?: string; status?: ContentfulStatusCode }) {
    const { cursor } = options;
    const now = deps.clock.now();
    let transcript;
    try {
      transcript = await deps.getTranscript.page(id, { ...(cursor ? { after: decodeTranscriptCursor(cursor) } : {}), limit: TRANSCRIPT_PAGE_SIZE });
    } catch (error) {
      if (!(error instanceof ConversationNotFoundError)) throw error;
      return notFound(c);
    }
    // Its figures over its lifetime, as far back as a range may reach.
    const figures = await deps.queryAnalytics.conversation(id, { from: Math.max(transcript.conversation.createdAt, now + 1 - MAX_RANGE_MS), to: now + 1 });
    const controls: HandoffControls = {
      me: agentNameOf(c),
      idempotencyKey: randomUUID(),
      window: transcript.conversation.handoff?.mode === 'human' ? await windowOf(transcript.conversation, now) : { open: true },
      now,
      problem: options.problem,
      draft: options.draft,
      cursor,
    };
    const liveSrc = transcript.next === null ? `${hereOf(c, id)}/live${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}` : undefined;
    const notice = options.problem ? undefined : noticeOf(c.req.query('done'));
    return render(
      c,
      <TranscriptPage page={c.get('page')} transcript={transcript} figures={figures} paged={Boolean(cursor)} timeZone={timeZoneChoice(c, deps)} controls={controls} liveSrc={liveSrc} notice={notice} />,
      options.status,
    );
  }

  app.get('/conversations/:id', guard, (c) => show(c, c.req.param('id'), { cursor: c.req.query('cursor') }));

  // What the page's script polls: the same page of the transcript, as a fragment that replaces the shown one.
  app.get('/conversations/:id/live', guard, async (c) => {
    const id = c.req.param('id');
    const cursor = c.req.query('cursor');
    try {
      const transcript = await deps.getTranscript.page(id, { ...(cursor ? { after: decodeTranscriptCursor(cursor) } : {}), limit: TRANSCRIPT_PAGE_SIZE });
      return c.html(String(<TranscriptEntries transcript={transcript} here={hereOf(c, id)} paged={Boolean(cursor)} timeZone={timeZoneChoice(c, deps)} />));
    } catch (error) {
      if (!(error instanceof ConversationNotFoundError)) throw error;
      return c.text('No such conversation', 404);
    }
  });

  app.post('/conversations/:id/handoff', guard, async (c) => {
    const id = c.req.param('id');
    const form = pick(await formOf(c), ['action', 'cursor']);
    if (form.action !== 'take' && form.action !== 'release') {
      return renderMessage(c, 400, 'Invalid request', 'A conversation can be taken over or handed back; nothing was changed.', c.get('page').base);
    }
    try {
      const result = await deps.handoff.change.execute(id, form.action === 'take' ? { kind: 'take', agent: agentNameOf(c) } : { kind: 'release' });
      deps.logger.info('admin changed a conversation handoff', { conversationId: id, action: form.action, mode: result.handoff.mode, changed: result.changed, userId: c.get('admin').user.id });
    } catch (error) {
      if (!(error instanceof ConversationNotFoundError)) throw error;
      return notFound(c);
    }
    return backTo(c, id, cursorOf(form.cursor), form.action === 'take' ? 'taken-over' : 'handed-back');
  });

  app.post('/conversations/:id/replies', guard, async (c) => {
    const id = c.req.param('id');
    const form = pick(await formOf(c), ['text', 'template', 'idempotencyKey', 'cursor']);
    const cursor = cursorOf(form.cursor);
    // Browsers send a textarea's line breaks as CRLF.
    const text = form.text.replace(/\r\n?/g, '\n');
    try {
      const { reply, created } = await deps.handoff.reply.execute({
        conversationId: id,
        idempotencyKey: form.idempotencyKey,
        agent: agentNameOf(c),
        ...(form.template === 'on' ? { template: true } : { text }),
      });
      // Never the text: it may say what the person told the agent.
      deps.logger.info('admin agent reply accepted', { conversationId: id, replyId: reply.id, created, state: reply.state, userId: c.get('admin').user.id });
    } catch (error) {
      if (error instanceof ConversationNotFoundError) return notFound(c);
      if (!(error instanceof DomainError) || (error.code !== 'validation_failed' && REFUSALS[error.code] === undefined)) throw error;
      deps.logger.info('admin agent reply refused', { conversationId: id, code: error.code, userId: c.get('admin').user.id });
      const problem = REFUSALS[error.code] ?? `Not sent: ${error.message}.`;
      return show(c, id, { cursor, problem, draft: text, status: error.code === 'validation_failed' ? 400 : 409 });
    }
    return backTo(c, id, cursor, 'reply-queued');
  });

  return app;
}
