import { Hono } from 'hono';
import { SCOPES, type Scope } from '../../domain/model/api-key.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { formOf, text } from './form.js';
import { noticeOf } from './format.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { KeysPage } from './views/keys-page.js';

/** API keys: list, create (the secret is in that one response only), revoke. */
export function keyRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  app.get('/keys', guard, async (c) => {
    return render(c, <KeysPage page={c.get('page')} keys={await deps.apiKeys.list()} notice={noticeOf(c.req.query('done'))} />);
  });

  app.post('/keys', guard, async (c) => {
    const form = await formOf(c);
    const name = text(form, 'name').trim();
    const scopes = SCOPES.filter((scope) => text(form, `scope:${scope}`) === 'on');
    const errors = {
      name: name.length === 0 || name.length > 100 ? 'must be 1 to 100 characters' : undefined,
      scopes: scopes.length === 0 ? 'choose at least one scope' : undefined,
    };
    if (errors.name || errors.scopes) {
      return render(c, <KeysPage page={c.get('page')} keys={await deps.apiKeys.list()} form={{ name, scopes }} errors={errors} />, 400);
    }
    const { user } = c.get('admin');
    const created = await deps.apiKeys.create({ name, scopes: scopes as Scope[], createdBy: user.email }, deps.clock.now());
    deps.logger.info('admin created an API key', { keyId: created.info.id, prefix: created.info.prefix, scopes, userId: user.id });
    // Rendered in this response, not redirected: the secret must never reach a URL or a later page.
    return render(c, <KeysPage page={c.get('page')} keys={await deps.apiKeys.list()} created={created} />, 201);
  });

  app.post('/keys/:id/revoke', guard, async (c) => {
    const id = c.req.param('id');
    if (!(await deps.apiKeys.revoke(id, deps.clock.now()))) {
      return renderMessage(c, 404, 'No such key', 'This API key does not exist; nothing was changed.', c.get('page').base);
    }
    deps.logger.info('admin revoked an API key', { keyId: id, userId: c.get('admin').user.id });
    return c.redirect(`${c.get('page').base}/keys?done=key-revoked`, 303);
  });

  return app;
}
