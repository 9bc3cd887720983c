import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

const EDIT = '/admin/channels/edit?accountId=phone-1';

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
