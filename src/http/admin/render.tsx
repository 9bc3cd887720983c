import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Child } from 'hono/jsx';
import { Layout } from './views/layout.js';
import type { PageContext } from './deps.js';

/** An HTML document: the doctype, then the page. */
export function render(c: Context, page: Child, status: ContentfulStatusCode = 200) {
  return c.html(`<!doctype html>${String(page)}`, status);
}

/** A short page that says what happened (errors, refusals), signed-in chrome when known. */
export function renderMessage(c: Context, status: ContentfulStatusCode, title: string, message: string, base: string) {
  const page = c.get('page') as PageContext | undefined;
  return render(
    c,
    <Layout title={title} base={base} page={page}>
      <section class="card message" role="alert">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href={page ? base : `${base}/login`}>{page ? 'Back to the overview' : 'Go to sign-in'}</a>
        </p>
      </section>
    </Layout>,
    status,
  );
}
