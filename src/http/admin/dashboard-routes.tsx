import { Hono } from 'hono';
import { CHANNELS } from '../../domain/model/ids.js';
import { ConversationNotFoundError } from '../../domain/use-cases/get-transcript.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { loadOverview, RANGES } from './overview-data.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { ConversationsPage } from './views/conversations-page.js';
import { OverviewPage } from './views/overview-page.js';
import { TranscriptPage } from './views/transcript-page.js';

const DAY_MS = 24 * 3600_000;
const PAGE_SIZE = 25;
const daysOf = (raw: string | undefined): number => RANGES.find((days) => String(days) === raw) ?? 30;

/** The overview with its charts, the conversation list and each transcript. */
export function dashboardRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  app.get('/', guard, async (c) => {
    const overview = await loadOverview(deps.queryAnalytics, deps.clock.now(), daysOf(c.req.query('days')));
    return render(c, <OverviewPage page={c.get('page')} overview={overview} />);
  });

  app.get('/conversations', guard, async (c) => {
    const days = daysOf(c.req.query('days'));
    const cursor = c.req.query('cursor');
    const channel = CHANNELS.find((name) => name === c.req.query('channel'));
    const to = deps.clock.now();
    const conversations = await deps.queryAnalytics.conversations({ from: to - days * DAY_MS, to: to + 1, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(channel ? { channel } : {}) });
    return render(c, <ConversationsPage page={c.get('page')} days={days} channel={channel} conversations={conversations} paged={Boolean(cursor)} />);
  });

  app.get('/conversations/:id', guard, async (c) => {
    try {
      const transcript = await deps.getTranscript.execute(c.req.param('id'));
      return render(c, <TranscriptPage page={c.get('page')} transcript={transcript} />);
    } catch (error) {
      if (!(error instanceof ConversationNotFoundError)) throw error;
      return renderMessage(c, 404, 'No such conversation', 'This conversation does not exist, or it was erased.', c.get('page').base);
    }
  });

  return app;
}
