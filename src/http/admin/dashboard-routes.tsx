import { Hono } from 'hono';
import type { AdminDeps, AdminEnv } from './deps.js';
import { loadOverview, RANGES } from './overview-data.js';
import { render } from './render.js';
import { signedIn } from './session.js';
import { timeZoneChoice } from './time-zone-choice.js';
import { listQueryOf, listViewOf } from './conversation-list-view.js';
import { ConversationsPage } from './views/conversations-page.js';
import { OverviewPage } from './views/overview-page.js';

const PAGE_SIZE = 25;
/** The "needs a human" queue shown above the list: longest waiting first. */
const QUEUE_SIZE = 50;
const daysOf = (raw: string | undefined): number => RANGES.find((days) => String(days) === raw) ?? 30;

/** The overview with its charts, and the conversation list under the "needs a human" queue. */
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
    const now = deps.clock.now();
    const [conversations, waiting] = await Promise.all([
      deps.queryAnalytics.conversations({ ...listQueryOf(view, now, timeZone), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
      cursor ? Promise.resolve(undefined) : deps.handoff.queue.waitingForHuman({ limit: QUEUE_SIZE }),
    ]);
    return render(c, <ConversationsPage page={c.get('page')} view={view} conversations={conversations} waiting={waiting} now={now} paged={Boolean(cursor)} timeZone={timeZone} />);
  });

  return app;
}
