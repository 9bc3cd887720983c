/** A browser-like client of an admin app: keeps cookies, sends same-origin form posts, finds form tokens. */
export class AdminClient {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, for attribute checks. */
  readonly setCookies: string[] = [];

  constructor(
    private readonly fetcher: (request: Request) => Response | Promise<Response>,
    readonly origin = 'http://admin.test',
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(new Request(`${this.origin}${path}`, { headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** A form POST as a browser sends it from a page of this origin (override headers to play another site). */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(
      new Request(`${this.origin}${path}`, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, 'sec-fetch-site': 'same-origin', ...this.cookieHeader(), ...headers },
      }),
    );
  }

  /** Loads `path` and posts `fields` with the form token found on that page. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<Response> {
    const token = csrfOf(await (await this.get(pagePath)).text());
    return this.post(action, { _csrf: token, ...fields });
  }

  async signIn(email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
    const token = csrfOf(await (await this.get('/admin/login')).text());
    return this.post('/admin/login', { _csrf: token, email, password }, headers);
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  private async send(request: Request): Promise<Response> {
    const response = await this.fetcher(request);
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (!value || /max-age=0/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The `_csrf` hidden field of the first form on the page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1]!;
}
