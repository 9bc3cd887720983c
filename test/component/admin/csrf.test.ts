import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

const KEY = { name: 'Export', 'scope:analytics:read': 'on' };

describe('admin cross-site request forgery defences', () => {
  async function aSignedInAdmin() {
    const app = await anAdminApp();
    const browser = await app.signedIn();
    const token = csrfOf(await (await browser.get('/admin/keys')).text());
    return { ...app, browser, token };
  }

  it('accepts a form with its session token from this origin', async () => {
    const { browser, token, apiKeys } = await aSignedInAdmin();
    expect((await browser.post('/admin/keys', { _csrf: token, ...KEY })).status).toBe(201);
    expect(await apiKeys.list()).toHaveLength(1);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { _csrf: 'A'.repeat(43) }],
    ['an empty token', { _csrf: '' }],
  ])('refuses a form with %s: 403 and nothing changes', async (_case, fields) => {
    const { browser, apiKeys } = await aSignedInAdmin();
    const response = await browser.post('/admin/keys', { ...fields, ...KEY });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('security token is missing or out of date');
    expect(await apiKeys.list()).toEqual([]);
  });

  it('refuses the form token of another session', async () => {
    const { signedIn, browser, apiKeys } = await aSignedInAdmin();
    const other = await signedIn();
    const otherToken = csrfOf(await (await other.get('/admin/keys')).text());
    expect((await browser.post('/admin/keys', { _csrf: otherToken, ...KEY })).status).toBe(403);
    expect(await apiKeys.list()).toEqual([]);
  });

  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin of another port', { origin: 'http://admin.test:8081' }],
    ['an opaque Origin', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a write with %s even with the right token: 403 and nothing changes', async (_case, headers) => {
    const { browser, token, apiKeys, logText } = await aSignedInAdmin();
    const response = await browser.post('/admin/keys', { _csrf: token, ...KEY }, headers);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This request came from another site');
    expect(await apiKeys.list()).toEqual([]);
    expect(logText()).toContain('cross-origin write');
  });

  it('refuses a cross-site sign-in and sign-out', async () => {
    const { browser, token, client } = await aSignedInAdmin();
    expect((await browser.post('/admin/logout', { _csrf: token }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.get('/admin/keys')).status).toBe(200);
    const stranger = client();
    const loginToken = csrfOf(await (await stranger.get('/admin/login')).text());
    expect((await stranger.post('/admin/login', { _csrf: loginToken, email: 'x@example.org', password: 'y' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });
});
