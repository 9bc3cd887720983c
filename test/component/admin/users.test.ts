import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

describe('admin users', () => {
  async function aUsersPage() {
    const app = await anAdminApp();
    const browser = await app.signedIn();
    const token = csrfOf(await (await browser.get('/admin/users')).text());
    return { ...app, browser, token };
  }

  it('adds a user who can then sign in; the password is stored only as an argon2id hash', async () => {
    const { browser, token, directory, signedIn, logText } = await aUsersPage();
    const response = await browser.post('/admin/users', { _csrf: token, email: 'Grace@Example.org', password: 'a long enough password' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/users?done=user-created');
    const stored = await directory.findByEmail('grace@example.org');
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain('a long enough password');
    expect(await (await browser.get('/admin/users')).text()).toContain('grace@example.org');
    await signedIn('grace@example.org', 'a long enough password');
    expect(logText()).not.toContain('a long enough password');
  });

  it('explains why a user was not added and adds nobody', async () => {
    const { browser, token, directory } = await aUsersPage();
    const invalid = await browser.post('/admin/users', { _csrf: token, email: 'not-an-email', password: 'short' });
    expect(invalid.status).toBe(400);
    const html = await invalid.text();
    expect(html).toContain('email: must be an e-mail address');
    expect(html).toContain('password: must be 12 to 1024 characters');
    const duplicate = await browser.post('/admin/users', { _csrf: token, email: 'ADA@example.org', password: 'a long enough password' });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.text()).toContain('a user with this e-mail address already exists');
    expect(await directory.listUsers()).toHaveLength(1);
  });

  it('deletes another user and ends their sessions at once', async () => {
    const { browser, token, directory, signedIn, clock } = await aUsersPage();
    const grace = await directory.createUser({ email: 'grace@example.org', passwordHash: (await directory.findByEmail('ada@example.org'))!.passwordHash }, clock.now());
    const graceBrowser = await signedIn('grace@example.org', 'correct horse battery staple');
    expect((await graceBrowser.get('/admin')).status).toBe(200);
    const response = await browser.post(`/admin/users/${grace.id}/delete`, { _csrf: token });
    expect(response.status).toBe(303);
    expect(await directory.findByEmail('grace@example.org')).toBeNull();
    expect((await graceBrowser.get('/admin')).headers.get('location')).toBe('/admin/login');
    expect(await (await browser.get('/admin/users?done=user-deleted')).text()).toContain('User deleted');
  });

  it('does not let an admin delete themselves', async () => {
    const { browser, token, admin, directory } = await aUsersPage();
    const response = await browser.post(`/admin/users/${admin.id}/delete`, { _csrf: token });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('You cannot delete your own user');
    expect(await directory.listUsers()).toHaveLength(1);
  });

  it('answers 404 for deleting a user that does not exist', async () => {
    const { browser, token } = await aUsersPage();
    expect((await browser.post('/admin/users/00000000-0000-4000-8000-000000000000/delete', { _csrf: token })).status).toBe(404);
  });
});
