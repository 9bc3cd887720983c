import { describe, expect, it } from 'vitest';
import { anAdminApp, ADMIN_EMAIL } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

describe('admin API keys', () => {
  async function aKeysPage() {
    const app = await anAdminApp();
    const browser = await app.signedIn();
    const token = csrfOf(await (await browser.get('/admin/keys')).text());
    return { ...app, browser, token };
  }

  it('creates a key and shows its secret in that response only; the store keeps no plaintext', async () => {
    const { browser, token, apiKeys, clock, logText } = await aKeysPage();
    const response = await browser.post('/admin/keys', { _csrf: token, name: 'BI export', 'scope:analytics:read': 'on' });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    const secret = /<code id="new-secret">([^<]+)<\/code>/.exec(html)?.[1];
    expect(secret).toMatch(/^vk_[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{43}$/);
    expect(html).toContain('it is shown this once');

    const [key] = await apiKeys.list();
    expect(key).toMatchObject({ name: 'BI export', scopes: ['analytics:read'], createdBy: ADMIN_EMAIL, revokedAt: null });
    expect(JSON.stringify(await apiKeys.list())).not.toContain(secret!.split('.')[1]);
    expect(await apiKeys.verify(secret!, clock.now())).toMatchObject({ keyId: key!.id });

    const later = await (await browser.get('/admin/keys')).text();
    expect(later).toContain(key!.prefix);
    expect(later).not.toContain(secret);
    expect(logText()).not.toContain(secret);
  });

  it('ignores fields it does not offer (no mass assignment)', async () => {
    const { browser, token, apiKeys } = await aKeysPage();
    const response = await browser.post('/admin/keys', {
      _csrf: token,
      name: 'Limited',
      'scope:analytics:read': 'on',
      scopes: 'admin',
      'scope:root': 'on',
      createdBy: 'mallory@example.org',
      revokedAt: '0',
      id: '00000000-0000-0000-0000-000000000000',
    });
    expect(response.status).toBe(201);
    const [key] = await apiKeys.list();
    expect(key).toMatchObject({ name: 'Limited', scopes: ['analytics:read'], createdBy: ADMIN_EMAIL, revokedAt: null });
    expect(key!.id).not.toBe('00000000-0000-0000-0000-000000000000');
  });

  it('explains why a key was not created and creates nothing', async () => {
    const { browser, token, apiKeys } = await aKeysPage();
    const response = await browser.post('/admin/keys', { _csrf: token, name: '  ' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Nothing was saved');
    expect(html).toContain('name: must be 1 to 100 characters');
    expect(html).toContain('scopes: choose at least one scope');
    expect(await apiKeys.list()).toEqual([]);
  });

  it('revokes a key: it stops working and is listed as revoked', async () => {
    const { browser, token, apiKeys, clock } = await aKeysPage();
    const { info, secret } = await apiKeys.create({ name: 'Old', scopes: ['analytics:read'] }, clock.now());
    const response = await browser.post(`/admin/keys/${info.id}/revoke`, { _csrf: token });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/keys?done=key-revoked');
    expect(await apiKeys.verify(secret, clock.now())).toBeNull();
    const page = await (await browser.get('/admin/keys?done=key-revoked')).text();
    expect(page).toContain('The API key was revoked.');
    expect(page).toMatch(/revoked 2026-11-25 12:00 UTC/);
  });

  it('answers 404 for revoking a key that does not exist', async () => {
    const { browser, token } = await aKeysPage();
    const response = await browser.post('/admin/keys/00000000-0000-4000-8000-000000000000/revoke', { _csrf: token });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('This API key does not exist; nothing was changed.');
  });
});
