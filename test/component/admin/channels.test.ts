import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

const EDIT = '/admin/channels/edit?accountId=phone-1';

const ORDER_STATUS = {
  name: 'order_status',
  description: 'The status of an order, by its number',
  parameters: { type: 'object', properties: { orderNumber: { type: 'string' } }, required: ['orderNumber'] },
  url: 'https://shop.example.com/tools/order-status',
  timeoutMs: 5000,
};

describe('admin channel settings', () => {
  async function anEditor() {
    const app = await anAdminApp();
    const browser = await app.signedIn();
    const token = csrfOf(await (await browser.get(EDIT)).text());
    return { ...app, browser, token };
  }

  it('saves the AI settings of a channel and lists it', async () => {
    const { browser, token, chat, clock } = await anEditor();
    const response = await browser.post(EDIT, {
      _csrf: token,
      systemPrompt: 'You are the bakery assistant.\nAnswer in German.',
      model: 'gpt-4o-mini',
      temperature: '0.3',
      maxReplyTokens: '400',
      ratePerMinute: '0',
      windowTemplateName: 'hello_world',
      windowTemplateLanguage: 'en_US',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/channels?done=channel-saved');
    expect(await chat.channelSettings('phone-1')).toEqual({
      accountId: 'phone-1',
      systemPrompt: 'You are the bakery assistant.\nAnswer in German.',
      model: 'gpt-4o-mini',
      temperature: 0.3,
      maxReplyTokens: 400,
      ratePerMinute: 0,
      windowTemplate: { name: 'hello_world', language: 'en_US' },
      updatedAt: clock.now(),
    });
    const list = await (await browser.get('/admin/channels?done=channel-saved')).text();
    expect(list).toContain('Channel settings saved.');
    expect(list).toContain('phone-1');
    expect(await (await browser.get(EDIT)).text()).toContain('You are the bakery assistant.');
  });

  it('saves the provider a channel chose, shows it selected, and refuses one that is not a provider', async () => {
    const { browser, token, chat } = await anEditor();

    expect((await browser.post(EDIT, { _csrf: token, provider: 'vertex', model: 'google/gemini-2.5-pro' })).status).toBe(303);
    expect(await chat.channelSettings('phone-1')).toMatchObject({ provider: 'vertex', model: 'google/gemini-2.5-pro' });
    expect(await (await browser.get(EDIT)).text()).toMatch(/<option value="vertex" selected[^>]*>Gemini on Vertex AI<\/option>/);

    const refused = await browser.post(EDIT, { _csrf: token, provider: 'azure' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('must be one of openai, vertex');
    expect(await chat.channelSettings('phone-1')).toMatchObject({ provider: 'vertex' });
  });

  it('saves what asks for a person (triggers, the tool, the text, the notify URL), shows it again, and refuses a bad URL', async () => {
    const { browser, token, chat, clock } = await anEditor();
    const saved = await browser.post(EDIT, {
      _csrf: token,
      handoffTriggers: 'talk to a human\r\n  real person \r\n\r\n',
      handoffTool: 'on',
      handoffText: 'A colleague takes over.',
      handoffNotifyUrl: 'https://crm.example.com/hooks/handoff',
    });
    expect(saved.status).toBe(303);
    expect(await chat.channelSettings('phone-1')).toEqual({
      accountId: 'phone-1',
      handoff: { triggers: ['talk to a human', 'real person'], tool: true, text: 'A colleague takes over.', notifyUrl: 'https://crm.example.com/hooks/handoff' },
      updatedAt: clock.now(),
    });
    const page = await (await browser.get(EDIT)).text();
    expect(page).toContain('talk to a human\nreal person');
    expect(page).toMatch(/name="handoffTool" value="on" checked/);
    expect(page).toContain('https://crm.example.com/hooks/handoff');

    const refused = await browser.post(EDIT, { _csrf: csrfOf(page), handoffNotifyUrl: 'ftp://crm.example.com' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('notifyUrl must be an http(s) URL');
    expect((await chat.channelSettings('phone-1'))?.handoff?.notifyUrl).toBe('https://crm.example.com/hooks/handoff');
  });

  it('saves the tools typed as JSON, shows them back as pretty JSON, and empties them with an empty field', async () => {
    const { browser, token, chat, clock } = await anEditor();
    const saved = await browser.post(EDIT, { _csrf: token, tools: JSON.stringify([ORDER_STATUS], null, 1).replace(/\n/g, '\r\n') });
    expect(saved.status).toBe(303);
    expect(await chat.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', tools: [ORDER_STATUS], updatedAt: clock.now() });
    const page = await (await browser.get(EDIT)).text();
    expect(page).toContain('&quot;name&quot;: &quot;order_status&quot;,\n    &quot;description&quot;');

    expect((await browser.post(EDIT, { _csrf: csrfOf(page), tools: '  ' })).status).toBe(303);
    expect(await chat.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', updatedAt: clock.now() });
    expect((await browser.post(EDIT, { _csrf: csrfOf(page), tools: '[]' })).status).toBe(303);
    expect((await chat.channelSettings('phone-1'))?.tools).toBeUndefined();
  });

  it('refuses tools that are not JSON or break a rule, next to the field, keeps what was typed, and changes nothing', async () => {
    const { browser, token, chat } = await anEditor();
    await chat.saveChannelSettings({ accountId: 'phone-1', tools: [ORDER_STATUS], updatedAt: 1 });
    const cases: [string, string][] = [
      ['[{"name": "order_status",', 'tools: must be JSON, a list of tools'],
      [JSON.stringify([{ ...ORDER_STATUS, name: 'request_human' }]), 'tool &quot;request_human&quot;: the name is reserved'],
      [JSON.stringify([{ ...ORDER_STATUS, parameters: { type: 'object', required: 'orderNumber' } }]), 'tool &quot;order_status&quot;: parameters is not a usable JSON Schema'],
      [JSON.stringify({ ...ORDER_STATUS, note: '<b>bold</b>' }), 'tools: must be a list of at most 10 tools'],
    ];
    for (const [tools, reason] of cases) {
      const response = await browser.post(EDIT, { _csrf: token, systemPrompt: 'Replaced?', tools });
      expect(response.status, tools).toBe(400);
      const html = await response.text();
      expect(html).toContain(reason);
      expect(html).toMatch(/<label class="field invalid"><span>Tools \(JSON\)<\/span><textarea name="tools"/);
      expect(html).not.toContain('<b>bold</b>');
    }
    expect(await chat.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', tools: [ORDER_STATUS], updatedAt: 1 });
  });

  it('shows the reason for every invalid field and changes nothing', async () => {
    const { browser, token, chat } = await anEditor();
    await chat.saveChannelSettings({ accountId: 'phone-1', systemPrompt: 'Kept', updatedAt: 1 });
    const response = await browser.post(EDIT, {
      _csrf: token,
      systemPrompt: 'Replaced?',
      temperature: '5',
      maxReplyTokens: 'lots',
      historyMessages: '2.5',
      model: 'has spaces',
      windowTemplateName: 'hello_world',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Nothing was saved');
    expect(html).toContain('temperature: must be a number from 0 to 2');
    expect(html).toContain('maxReplyTokens: must be a number');
    expect(html).toContain('historyMessages: must be a whole number from 0 to 500');
    expect(html).toContain('model: must be a model name');
    expect(html).toContain('windowTemplateName: needs a template name');
    expect(html).toContain('Replaced?');
    expect(await chat.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', systemPrompt: 'Kept', updatedAt: 1 });
  });

  it('takes the account from the address and ignores fields it does not offer', async () => {
    const { browser, token, chat, clock } = await anEditor();
    await browser.post(EDIT, { _csrf: token, systemPrompt: 'Hi', accountId: 'phone-2', updatedAt: '0', secret: 'x' });
    expect(await chat.channelSettings('phone-1')).toEqual({ accountId: 'phone-1', systemPrompt: 'Hi', updatedAt: clock.now() });
    expect(await chat.channelSettings('phone-2')).toBeNull();
  });

  it('refuses an invalid account id', async () => {
    const { browser, token, chat } = await anEditor();
    const response = await browser.post('/admin/channels/edit?accountId=%3Cscript%3E', { _csrf: token, systemPrompt: 'Hi' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('An account id is 1 to 128 letters');
    expect(await chat.listChannelSettings()).toEqual([]);
  });
});
