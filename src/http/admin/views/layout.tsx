import type { Child } from 'hono/jsx';
import type { PageContext } from '../deps.js';
import { CsrfField } from './form-parts.js';

const NAV = [
  ['', 'Overview'],
  ['/conversations', 'Conversations'],
  ['/channels', 'Channels'],
  ['/keys', 'API keys'],
  ['/dead-letters', 'Dead letters'],
  ['/users', 'Users'],
] as const;

interface LayoutProps {
  title: string;
  base: string;
  /** Absent on the sign-in page and on refusals before sign-in. */
  page?: PageContext | undefined;
  /** The nav entry to mark as current. */
  current?: string;
  scripts?: string[];
  children?: Child;
}

export function Layout({ title, base, page, current, scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · VocoEng admin`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={`${base}/assets/admin.css`} />
        {scripts.map((src) => (
          <script src={`${base}/assets/${src}`} defer />
        ))}
        <script src={`${base}/assets/admin.js`} defer />
      </head>
      <body>
        <header class="top">
          <a class="brand" href={base}>
            VocoEng
          </a>
          {page && (
            <>
              <nav aria-label="Main">
                {NAV.map(([path, label]) => (
                  <a href={`${base}${path}`} aria-current={current === path ? 'page' : undefined}>
                    {label}
                  </a>
                ))}
              </nav>
              <form class="logout" method="post" action={`${base}/logout`}>
                <CsrfField token={page.csrf} />
                <span class="who">{page.email}</span>
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
