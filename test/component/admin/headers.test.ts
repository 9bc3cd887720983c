import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';
import { seedExchange } from '../../support/admin-seed.js';

function expectHardened(response: Response, what: string) {
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("form-action 'self'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(csp, what).not.toContain('unsafe-eval');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('same-origin');
}

describe('admin response headers', () => {
  it('sends a strict CSP and no-store on every page, error and redirect', async () => {
    const { client, signedIn, chat, analytics, clock } = await anAdminApp();
    const { conversationId } = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 3600_000 });
    const anonymous = client();
    const responses: [string, Response][] = [
      ['login page', await anonymous.get('/admin/login')],
      ['redirect to login', await anonymous.get('/admin')],
    ];
    const browser = await signedIn();
    for (const path of ['/admin', '/admin?days=7', '/admin/conversations', `/admin/conversations/${conversationId}`, '/admin/conversations/c_unknown', '/admin/channels', '/admin/channels/edit?accountId=phone-1', '/admin/keys', '/admin/users']) {
      responses.push([path, await browser.get(path)]);
    }
    const token = csrfOf(await (await browser.get('/admin/keys')).text());
    responses.push(['created key', await browser.post('/admin/keys', { _csrf: token, name: 'k', 'scope:admin': 'on' })]);
    responses.push(['form error', await browser.post('/admin/keys', { _csrf: token, name: '' })]);
    responses.push(['csrf refusal', await browser.post('/admin/keys', { name: 'k' })]);
    responses.push(['cross-site refusal', await browser.post('/admin/keys', { _csrf: token }, { origin: 'https://evil.example' })]);
    for (const [what, response] of responses) {
      expectHardened(response, what);
      expect(response.headers.get('cache-control'), what).toBe('no-store');
      if (response.status !== 303) expect(response.headers.get('content-type'), what).toBe('text/html; charset=UTF-8');
    }
    expect(responses.map(([what, r]) => `${what} ${r.status}`)).toContain('/admin/conversations/c_unknown 404');
  });

  it('serves its stylesheet, its script and Chart.js as cacheable assets under the same CSP', async () => {
    const { client } = await anAdminApp();
    const cases = [
      ['/admin/assets/admin.css', 'text/css; charset=utf-8', '.chart-box'],
      ['/admin/assets/admin.js', 'text/javascript; charset=utf-8', 'canvas[data-chart]'],
      ['/admin/assets/chart.umd.min.js', 'text/javascript; charset=utf-8', 'Chart.js v4.6.1'],
    ] as const;
    for (const [path, type, marker] of cases) {
      const response = await client().get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
      expectHardened(response, path);
      expect(await response.text()).toContain(marker);
    }
  });

  it('embeds no inline script in any page (the CSP would block it)', async () => {
    const { signedIn } = await anAdminApp();
    const browser = await signedIn();
    const html = await (await browser.get('/admin')).text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/admin\/assets\//);
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/\sstyle=/);
  });
});
