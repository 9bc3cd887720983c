import { describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';
import { hashScryptPassword } from '../../../src/http/admin/passwords.js';

describe('admin sign-in', () => {
  it('signs in with the right password into a __Host- session cookie and records the sign-in', async () => {
    const { client, directory, clock, logText } = await anAdminApp();
    const browser = client();
    const response = await browser.signIn(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
    const cookie = browser.setCookies.find((c) => c.startsWith('__Host-vocoeng_session='))!;
    expect(cookie).toMatch(/^__Host-vocoeng_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(attribute);
    expect((await browser.get('/admin')).status).toBe(200);
    expect((await directory.findByEmail(ADMIN_EMAIL))?.lastLoginAt).toBe(clock.now());
    expect(logText()).not.toContain(ADMIN_PASSWORD);
    expect(logText()).not.toContain(ADMIN_EMAIL);
  });

  it('refuses a wrong password or an unknown e-mail with the same reason and no session', async () => {
    const { client } = await anAdminApp();
    for (const [email, password] of [
      [ADMIN_EMAIL, 'not the password'],
      ['nobody@example.org', ADMIN_PASSWORD],
    ] as const) {
      const browser = client();
      const response = await browser.signIn(email, password);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('The e-mail address or the password is wrong.');
      expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
      expect((await browser.get('/admin')).headers.get('location')).toBe('/admin/login');
    }
  });

  it('asks for both fields when one is empty', async () => {
    const { client } = await anAdminApp();
    const response = await client().signIn(ADMIN_EMAIL, '');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Enter your e-mail address and your password.');
  });

  it('refuses a sign-in without the form token of its sign-in page', async () => {
    const { client } = await anAdminApp();
    const browser = client();
    const response = await browser.post('/admin/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This sign-in form expired');
    expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
  });

  it('lets the real admin in from another address right after an attacker\'s failures on the account', async () => {
    const { client } = await anAdminApp();
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await client().signIn(ADMIN_EMAIL, `guess ${i}`, attacker)).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);

    const admin = await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '198.51.100.20' });

    expect(admin.status).toBe(303);
  });

  it('checks at most 5 of 20 parallel wrong sign-ins of one account from one address and answers the rest 429 with Retry-After', async () => {
    const { client, deps } = await anAdminApp();
    let verified = 0;
    const findByEmail = deps.directory.findByEmail.bind(deps.directory);
    deps.directory.findByEmail = async (email) => {
      verified += 1;
      return findByEmail(email);
    };
    const from = { 'x-forwarded-for': '203.0.113.9' };
    const browsers = Array.from({ length: 20 }, () => client());

    const responses = await Promise.all(browsers.map((browser, i) => browser.signIn(ADMIN_EMAIL, `parallel guess ${i}`, from)));

    const statuses = responses.map((response) => response.status);
    expect(verified).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 401)).toHaveLength(verified);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - verified);
    for (const response of responses.filter((r) => r.status === 429)) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('delays a guesser with growing waits instead of locking the account, and lets the right password in after the wait', async () => {
    const { client, clock } = await anAdminApp();
    const from = { 'x-forwarded-for': '203.0.113.10' };
    for (let i = 0; i < 5; i++) expect((await client().signIn(ADMIN_EMAIL, `wrong ${i}`, from)).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const delayed = await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, from);
      expect(delayed.status).toBe(429);
      expect(await delayed.text()).toContain('Too many failed sign-ins');
      const wait = Number(delayed.headers.get('retry-after'));
      waits.push(wait);
      clock.advance(wait * 1000);
      expect((await client().signIn(ADMIN_EMAIL, `still wrong ${i}`, from)).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4]);

    const delayed = await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, from);
    expect(delayed.status).toBe(429);
    clock.advance(Number(delayed.headers.get('retry-after')) * 1000);
    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, from)).status).toBe(303);
    // A success forgets the failures of this account: the next typo costs nothing.
    expect((await client().signIn(ADMIN_EMAIL, 'one typo', from)).status).toBe(401);
  });

  it('rehashes a legacy scrypt password with argon2id at the first successful sign-in', async () => {
    const { client, directory, admin } = await anAdminApp();
    await directory.setPasswordHash(admin.id, await hashScryptPassword(ADMIN_PASSWORD, { N: 2 ** 10, r: 8, p: 1 }));

    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(303);

    const stored = (await directory.findByEmail(ADMIN_EMAIL))!.passwordHash;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(303);
  });

  it('signs out: the session ends in the directory and its cookie is cleared', async () => {
    const { signedIn } = await anAdminApp();
    const browser = await signedIn();
    const stolen = browser.cookies.get('__Host-vocoeng_session')!;
    const page = await (await browser.get('/admin')).text();
    const response = await browser.post('/admin/logout', { _csrf: csrfOf(page) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/login');
    expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
    browser.cookies.set('__Host-vocoeng_session', stolen);
    expect((await browser.get('/admin/keys')).headers.get('location')).toBe('/admin/login');
  });

  it('sends every page to the sign-in page without a session', async () => {
    const { client } = await anAdminApp();
    for (const path of ['/admin', '/admin/conversations', '/admin/channels', '/admin/keys', '/admin/users', '/admin/conversations/c_x']) {
      const response = await client().get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/login');
    }
  });

  it('drops the __Host- prefix and Secure only when secure cookies are turned off', async () => {
    const { client } = await anAdminApp({ secureCookies: false });
    const browser = client();
    expect((await browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(303);
    const cookie = browser.setCookies.find((c) => c.startsWith('vocoeng_session='))!;
    expect(cookie).not.toContain('Secure');
    expect(cookie).toContain('HttpOnly');
    expect((await browser.get('/admin')).status).toBe(200);
  });
});
