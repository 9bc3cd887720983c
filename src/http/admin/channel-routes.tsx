import { Hono, type Context } from 'hono';
import { ACCOUNT_ID_PATTERN } from '../../domain/model/channel-settings-rules.js';
import { CHANNEL_FORM_FIELDS, settingsFrom, valuesOf } from './channel-form.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { formOf, pick } from './form.js';
import { noticeOf } from './format.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { ChannelEditPage } from './views/channel-edit-page.js';
import { ChannelsPage } from './views/channels-page.js';

/** The channels with settings of their own, and the editor of one channel's AI settings. */
export function channelRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  const accountOf = (c: Context<AdminEnv>): string | null => {
    const accountId = (c.req.query('accountId') ?? '').trim();
    return ACCOUNT_ID_PATTERN.test(accountId) ? accountId : null;
  };
  const badAccount = (c: Context<AdminEnv>) =>
    renderMessage(c, 400, 'Invalid account id', 'An account id is 1 to 128 letters, digits or . _ : @ + -.', c.get('page').base);

  app.get('/channels', guard, async (c) => {
    const channels = await deps.channels.listChannelSettings();
    return render(c, <ChannelsPage page={c.get('page')} channels={channels} notice={noticeOf(c.req.query('done'))} />);
  });

  app.get('/channels/edit', guard, async (c) => {
    const accountId = accountOf(c);
    if (!accountId) return badAccount(c);
    const settings = await deps.channels.channelSettings(accountId);
    return render(c, <ChannelEditPage page={c.get('page')} accountId={accountId} values={valuesOf(settings)} exists={settings !== null} />);
  });

  app.post('/channels/edit', guard, async (c) => {
    const accountId = accountOf(c);
    if (!accountId) return badAccount(c);
    const values = pick(await formOf(c), CHANNEL_FORM_FIELDS);
    const result = settingsFrom(accountId, values, deps.clock.now());
    if ('errors' in result) {
      const exists = (await deps.channels.channelSettings(accountId)) !== null;
      return render(c, <ChannelEditPage page={c.get('page')} accountId={accountId} values={values} errors={result.errors} exists={exists} />, 400);
    }
    await deps.channels.saveChannelSettings(result.settings);
    deps.logger.info('admin saved channel settings', { accountId, userId: c.get('admin').user.id, fields: Object.keys(result.settings).length - 2 });
    return c.redirect(`${c.get('page').base}/channels?done=channel-saved`, 303);
  });

  return app;
}
