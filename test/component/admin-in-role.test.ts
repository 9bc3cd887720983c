import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { AdminClient } from '../support/admin-client.js';
import { InMemoryAdminDirectory } from '../../src/adapters/memory/in-memory-admin-directory.js';
import { ALL_CHANNELS_ENV, roleHarness } from '../support/role-harness.js';

const ADMIN = { ADMIN_EMAIL: 'Owner@Example.org', ADMIN_PASSWORD: 'a long admin password' };

describe('The dashboard inside the role', () => {
  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD at start, once, and lets them sign in at /admin', async () => {
    const h = await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN } });
    await h.runtime.prepare();
    await h.runtime.prepare();

    const directory = h.runtime.container.get(TOKENS.AdminDirectory);
    expect((await directory.listUsers()).map((u) => u.email)).toEqual(['owner@example.org']);
    const client = new AdminClient((request) => h.app.fetch(request));
    const signedIn = await client.signIn('owner@example.org', ADMIN.ADMIN_PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/admin');
    expect((await client.get('/admin')).status).toBe(200);
    expect(JSON.stringify(h.logs())).not.toContain(ADMIN.ADMIN_PASSWORD);
  });

  it('changes the stored password at start when ADMIN_PASSWORD changed, ending the sessions of that admin', async () => {
    const directory = new InMemoryAdminDirectory();
    const before = await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN }, overrides: { [TOKENS.AdminDirectory]: directory } });
    await before.runtime.prepare();
    const leaked = new AdminClient((request) => before.app.fetch(request));
    expect((await leaked.signIn(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).status).toBe(303);
    const rotated = 'the rotated admin password';

    const after = await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN, ADMIN_PASSWORD: rotated }, overrides: { [TOKENS.AdminDirectory]: directory } });
    await after.runtime.prepare();

    const client = () => new AdminClient((request) => after.app.fetch(request));
    expect((await client().signIn(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).status).toBe(401);
    expect((await client().signIn(ADMIN.ADMIN_EMAIL, rotated)).status).toBe(303);
    expect((await directory.listUsers()).map((u) => u.email)).toEqual(['owner@example.org']);
    // The session signed in with the leaked password is over.
    const stale = await after.app.fetch(new Request('http://localhost/admin', { headers: { cookie: [...leaked.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } }));
    expect(stale.headers.get('location')).toBe('/admin/login');
    expect(after.logs()).toContainEqual(expect.objectContaining({ severity: 'WARNING', message: expect.stringContaining('admin password changed from ADMIN_PASSWORD') }));
    expect(JSON.stringify(after.logs())).not.toContain(rotated);
  });

  it('leaves the password and the sessions alone when ADMIN_PASSWORD did not change', async () => {
    const directory = new InMemoryAdminDirectory();
    const first = await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN }, overrides: { [TOKENS.AdminDirectory]: directory } });
    await first.runtime.prepare();
    const stored = (await directory.findByEmail(ADMIN.ADMIN_EMAIL))!.passwordHash;
    const browser = new AdminClient((request) => first.app.fetch(request));
    expect((await browser.signIn(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).status).toBe(303);

    await (await roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN }, overrides: { [TOKENS.AdminDirectory]: directory } })).runtime.prepare();

    expect((await directory.findByEmail(ADMIN.ADMIN_EMAIL))!.passwordHash).toBe(stored);
    expect((await browser.get('/admin')).status).toBe(200);
  });

  it('creates no admin when ADMIN_EMAIL is unset, and /admin/ redirects to the sign-in', async () => {
    const h = await roleHarness();
    await h.runtime.prepare();
    expect(await h.runtime.container.get(TOKENS.AdminDirectory).listUsers()).toEqual([]);
    const slash = await h.app.request('/admin/');
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/admin');
    const page = await h.app.request('/admin');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login');
  });

  it('puts the baseline security headers on every response of the role, health included', async () => {
    const h = await roleHarness();
    for (const path of ['/healthz', '/openapi.json', '/no-such-route']) {
      const res = await h.app.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    }
  });
});
