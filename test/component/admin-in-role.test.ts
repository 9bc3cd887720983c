import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import type { AdminDirectory } from '../../src/domain/ports/admin-directory.js';
import { AdminClient } from '../support/admin-client.js';
import { ALL_CHANNELS_ENV, roleHarness } from '../support/role-harness.js';

const ADMIN = { ADMIN_EMAIL: 'Owner@Example.org', ADMIN_PASSWORD: 'a long admin password' };

describe('The dashboard inside the role', () => {
  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD at start, once, and lets them sign in at /admin', async () => {
    const h = roleHarness({ env: { ...ALL_CHANNELS_ENV, ...ADMIN } });
    await h.runtime.prepare();
    await h.runtime.prepare();

    const directory = h.runtime.container.get<AdminDirectory>(TOKENS.AdminDirectory);
    expect((await directory.listUsers()).map((u) => u.email)).toEqual(['owner@example.org']);
    const client = new AdminClient((request) => h.app.fetch(request));
    const signedIn = await client.signIn('owner@example.org', ADMIN.ADMIN_PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/admin');
    expect((await client.get('/admin')).status).toBe(200);
    expect(JSON.stringify(h.logs())).not.toContain(ADMIN.ADMIN_PASSWORD);
  });

  it('creates no admin when ADMIN_EMAIL is unset, and /admin/ redirects to the sign-in', async () => {
    const h = roleHarness();
    await h.runtime.prepare();
    expect(await h.runtime.container.get<AdminDirectory>(TOKENS.AdminDirectory).listUsers()).toEqual([]);
    const slash = await h.app.request('/admin/');
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/admin');
    const page = await h.app.request('/admin');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login');
  });

  it('puts the baseline security headers on every response of the role, health included', async () => {
    const h = roleHarness();
    for (const path of ['/healthz', '/openapi.json', '/no-such-route']) {
      const res = await h.app.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    }
  });
});
