import { Hono } from 'hono';
import { ConversationNotFoundError } from '../../domain/use-cases/get-transcript.js';
import { MAX_RANGE_MS } from '../../domain/use-cases/query-analytics.js';
import { decodeTranscriptCursor } from '../api/transcript-body.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { loadOverview, RANGES } from './overview-data.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { timeZoneChoice } from './time-zone-choice.js';
import { listQueryOf, listViewOf } from './conversation-list-view.js';
import { ConversationsPage } from './views/conversations-page.js';
import { OverviewPage } from './views/overview-page.js';
import { TranscriptPage } from './views/transcript-page.js';

const PAGE_SIZE = 25;
const TRANSCRIPT_PAGE_SIZE = 50;
const daysOf = (raw: string | undefined): number => RANGES.find((days) => String(days) === raw) ?? 30;

/** The overview with its charts, the conversation list and each transcript. */
export function dashboardRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  app.get('/', guard, async (c) => {
    const overview = await loadOverview(deps.queryAnalytics, deps.clock.now(), daysOf(c.req.query('days')), timeZoneChoice(c, deps));
    return render(c, <OverviewPage page={c.get('page')} overview={overview} />);
  });

  app.get('/conversations', guard, async (c) => {
    const view = listViewOf((name) => c.req.query(name));
    const cursor = c.req.query('cursor');
    const timeZone = timeZoneChoice(c, deps);
    const conversations = await deps.queryAnalytics.conversations({ ...listQueryOf(view, deps.clock.now(), timeZone), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    return render(c, <ConversationsPage page={c.get('page')} view={view} conversations={conversations} paged={Boolean(cursor)} timeZone={timeZone} />);
  });

  app.get('/conversations/:id', guard, async (c) => {
    const id = c.req.param('id');
    const cursor = c.req.query('cursor');
    try {
      const transcript = await deps.getTranscript.page(id, { ...(cursor ? { after: decodeTranscriptCursor(cursor) } : {}), limit: TRANSCRIPT_PAGE_SIZE });
      // Its figures over its lifetime, as far back as a range may reach.
      const to = deps.clock.now() + 1;
      const figures = await deps.queryAnalytics.conversation(id, { from: Math.max(transcript.conversation.createdAt, to - MAX_RANGE_MS), to });
      return render(c, <TranscriptPage page={c.get('page')} transcript={transcript} figures={figures} paged={Boolean(cursor)} timeZone={timeZoneChoice(c, deps)} />);
    } catch (error) {
      if (!(error instanceof ConversationNotFoundError)) throw error;
      return renderMessage(c, 404, 'No such conversation', 'This conversation does not exist, or it was erased.', c.get('page').base);
    }
  });

  return app;
}
