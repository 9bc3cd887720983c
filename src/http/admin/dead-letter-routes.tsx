import { Hono } from 'hono';
import { PublishError } from '../../domain/model/errors.js';
import { errorFields } from '../../observability/logger.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { formOf, text } from './form.js';
import { noticeOf } from './format.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { DeadLettersPage } from './views/dead-letters-page.js';

const PAGE_SIZE = 50;

/** Dead-lettered messages: the list and a replay per letter (forced only when asked). */
export function deadLetterRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  app.get('/dead-letters', guard, async (c) => {
    const cursor = c.req.query('cursor');
    const letters = await deps.deadLetters.list.execute({ limit: PAGE_SIZE, cursor });
    return render(c, <DeadLettersPage page={c.get('page')} letters={letters} paged={Boolean(cursor)} notice={noticeOf(c.req.query('done'))} />);
  });

  app.post('/dead-letters/:id/replay', guard, async (c) => {
    const id = c.req.param('id');
    const force = text(await formOf(c), 'force') === 'on';
    const base = c.get('page').base;
    const userId = c.get('admin').user.id;
    let outcome;
    try {
      outcome = await deps.deadLetters.replay.execute({ id, force });
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      deps.logger.error('admin replay of a dead letter failed to publish', { deadLetterId: id, userId, ...errorFields(error) });
      return renderMessage(c, 503, 'Not replayed', 'The message could not be published, and nothing was marked. Try again in a moment.', base);
    }
    if (outcome.kind === 'not-found') return renderMessage(c, 404, 'No such dead letter', 'This dead letter does not exist (it may have been erased); nothing was published.', base);
    const { letter } = outcome;
    deps.logger.info('admin replayed a dead letter', { deadLetterId: letter.id, topic: letter.topic, outcome: outcome.kind, force, replays: letter.replays, userId });
    return c.redirect(`${base}/dead-letters?done=${outcome.kind === 'replayed' ? 'dead-letter-replayed' : 'dead-letter-already-replayed'}`, 303);
  });

  return app;
}
