import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { AdminClient, csrfOf } from '../support/admin-client.js';
import { ALL_CHANNELS_ENV, roleHarness } from '../support/role-harness.js';

const ADMIN = { ADMIN_EMAIL: 'owner@example.org', ADMIN_PASSWORD: 'a long admin password' };
const PATH = '/api/v1/channels/phone-1/settings';

async function aRole() {
  const h = await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN } });
  await h.runtime.prepare();
  const keys = h.runtime.container.get(TOKENS.ApiKeyStore);
  const admin = (await keys.create({ name: 'ops', scopes: ['admin'] }, h.clock.now())).secret;
  const reader = (await keys.create({ name: 'analysts', scopes: ['analytics:read'] }, h.clock.now())).secret;
  const call = (method: 'GET' | 'PUT', key: string, body?: unknown, path = PATH) =>
    h.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { ...h, admin, reader, call };
}

const SETTINGS = {
  systemPrompt: 'You are the bakery assistant.\nAnswer in German.',
  model: 'gpt-4o-mini',
  temperature: 0.3,
  maxReplyTokens: 400,
  ratePerMinute: 0,
  windowTemplate: { name: 'hello_world', language: 'en_US' },
};

const ORDER_STATUS = {
  name: 'order_status',
  description: 'The status of an order, by its number',
  parameters: { type: 'object', properties: { orderNumber: { type: 'string' } }, required: ['orderNumber'] },
  url: 'https://shop.example.com/tools/order-status',
  timeoutMs: 5000,
};

describe('channel settings through the API (scope admin)', () => {
  it('answers a channel without settings of its own with its account id only', async () => {
    const h = await aRole();
    const res = await h.call('GET', h.admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accountId: 'phone-1', updatedAt: null });
  });

  it('saves what is PUT, answers it, and takes back unchanged what GET gave (settings kept in version control)', async () => {
    const h = await aRole();
    const saved = await h.call('PUT', h.admin, SETTINGS);
    expect(saved.status).toBe(200);
    const body = await saved.json();
    expect(body).toEqual({ accountId: 'phone-1', ...SETTINGS, updatedAt: new Date(h.clock.now()).toISOString() });
    expect(await h.chatStore.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', ...SETTINGS, updatedAt: h.clock.now() });

    h.clock.advance(60_000);
    const fetched = await (await h.call('GET', h.admin)).json();
    expect(fetched).toEqual(body);
    expect((await h.call('PUT', h.admin, fetched)).status).toBe(200);
    expect(await h.chatStore.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', ...SETTINGS, updatedAt: h.clock.now() });
    // Which fields were saved is logged, never what they say.
    expect(JSON.stringify(h.logs())).not.toContain('bakery assistant');
  });

  it('replaces the whole record: a field left out goes back to the configured default', async () => {
    const h = await aRole();
    await h.call('PUT', h.admin, SETTINGS);
    await h.call('PUT', h.admin, { model: 'gpt-4.1-mini' });
    expect(await h.chatStore.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', model: 'gpt-4.1-mini', updatedAt: h.clock.now() });
  });

  it('refuses what the dashboard form refuses, with the same reasons, and changes nothing', async () => {
    const h = await aRole();
    await h.call('PUT', h.admin, { systemPrompt: 'Kept' });
    const res = await h.call('PUT', h.admin, { systemPrompt: 'Replaced?', temperature: 5, historyMessages: 2.5, model: 'has spaces', windowTemplate: { name: 'Hello World', language: 'en' } });

    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('validation_failed');
    for (const reason of [
      'temperature: must be a number from 0 to 2',
      'historyMessages: must be a whole number from 0 to 500',
      'model: must be a model name',
      'windowTemplate: needs a template name',
    ]) {
      expect(error.message).toContain(reason);
    }
    expect((await h.chatStore.channelSettings('phone-1'))?.systemPrompt).toBe('Kept');
  });

  it('refuses unknown fields, wrong types, another account id in the body, a bad account id and a body that is not JSON', async () => {
    const h = await aRole();
    const cases: [unknown, string, string?][] = [
      [{ systemPrompt: 'x', prompt: 'typo' }, 'prompt'],
      [{ temperature: '0.3' }, 'temperature'],
      [{ windowTemplate: { name: 'a', language: 'en', extra: 1 } }, 'extra'],
      [{ accountId: 'phone-2', model: 'gpt-4o' }, 'accountId'],
      [{ systemPrompt: '   ' }, 'systemPrompt: must be 1 to 20000 characters'],
      [{ model: 'gpt-4o' }, 'accountId', '/api/v1/channels/bad%20id/settings'],
      ['{"model":', ''],
    ];
    for (const [body, mention, path] of cases) {
      const res = await h.call('PUT', h.admin, body, path);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(mention);
    }
    expect(await h.chatStore.channelSettings('phone-1')).toBeNull();
  });

  it('saves the tools the model may call, answers them, and refuses a bad tool with its reason, changing nothing', async () => {
    const h = await aRole();
    const saved = await h.call('PUT', h.admin, { tools: [ORDER_STATUS] });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ tools: [ORDER_STATUS] });
    expect((await h.chatStore.channelSettings('phone-1'))?.tools).toEqual([ORDER_STATUS]);
    expect(await (await h.call('GET', h.admin)).json()).toMatchObject({ tools: [ORDER_STATUS] });

    const cases: [unknown, string][] = [
      [[ORDER_STATUS, ORDER_STATUS], 'tools: tool "order_status": the name is used by another tool'],
      [[{ ...ORDER_STATUS, name: 'request_human' }], 'tool "request_human": the name is reserved'],
      [[{ ...ORDER_STATUS, parameters: { type: 'array' } }], 'tool "order_status": parameters must be a JSON Schema whose type is "object"'],
      // Only a JSON Schema checker finds this: the type of a property is no JSON Schema type.
      [[{ ...ORDER_STATUS, parameters: { type: 'object', properties: { orderNumber: { type: 'strin' } } } }], 'tool "order_status": parameters is not a usable JSON Schema'],
      [[{ ...ORDER_STATUS, url: 'file:///etc/passwd' }], 'tool "order_status": url must be an http(s) URL'],
      [[{ ...ORDER_STATUS, timeoutMs: 120_000 }], 'tool "order_status": timeoutMs must be a whole number from 100 to 60,000'],
      [[{ ...ORDER_STATUS, timeout: 5000 }], 'timeout'],
    ];
    for (const [tools, reason] of cases) {
      const res = await h.call('PUT', h.admin, { systemPrompt: 'Replaced?', tools });
      expect(res.status, JSON.stringify(tools)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(reason);
    }
    expect(await h.chatStore.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', tools: [ORDER_STATUS], updatedAt: h.clock.now() });
  });

  it('needs the admin scope', async () => {
    const h = await aRole();
    expect((await h.call('GET', h.reader)).status).toBe(403);
    expect((await h.call('PUT', h.reader, SETTINGS)).status).toBe(403);
    expect((await h.app.request(PATH)).status).toBe(401);
    expect(await h.chatStore.channelSettings('phone-1')).toBeNull();
  });

  it('edits the same record as the dashboard form, both ways', async () => {
    const h = await aRole();
    const browser = new AdminClient((request) => h.app.fetch(request));
    expect((await browser.signIn(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).status).toBe(303);
    const edit = '/admin/channels/edit?accountId=phone-1';

    await h.call('PUT', h.admin, { systemPrompt: 'Set through the API.' });
    const page = await (await browser.get(edit)).text();
    expect(page).toContain('Set through the API.');

    const saved = await browser.post(edit, { _csrf: csrfOf(page), systemPrompt: 'Set in the dashboard.', maxReplyTokens: '300' });
    expect(saved.status).toBe(303);
    expect(await (await h.call('GET', h.admin)).json()).toMatchObject({ systemPrompt: 'Set in the dashboard.', maxReplyTokens: 300 });
  });
});
