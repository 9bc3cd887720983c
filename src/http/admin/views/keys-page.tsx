import { SCOPES, type ApiKeyInfo } from '../../../domain/model/api-key.js';
import type { PageContext } from '../deps.js';
import { formatTime } from '../format.js';
import { CsrfField, DangerAction, Field, FormErrors, Notice } from './form-parts.js';
import { Layout } from './layout.js';

export interface KeysPageProps {
  page: PageContext;
  keys: ApiKeyInfo[];
  /** The whole key, present only in the response that created it. */
  created?: { info: ApiKeyInfo; secret: string };
  form?: { name: string; scopes: string[] };
  errors?: Record<string, string | undefined>;
  notice?: string | undefined;
}

export function KeysPage({ page, keys, created, form = { name: '', scopes: ['analytics:read'] }, errors = {}, notice }: KeysPageProps) {
  return (
    <Layout title="API keys" base={page.base} page={page} current="/keys">
      <h1>API keys</h1>
      <Notice text={notice} />
      {created && (
        <section class="card secret" role="status">
          <h2>{`Key “${created.info.name}” created`}</h2>
          <p>Copy it now: it is shown this once and cannot be recovered.</p>
          <div class="copy">
            <code id="new-secret">{created.secret}</code>
            <button type="button" data-copy="new-secret">
              Copy
            </button>
          </div>
        </section>
      )}
      <div class="table-wrap card">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Scopes</th>
              <th>Last used</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {keys.length === 0 && (
              <tr>
                <td colspan={5}>No API keys yet.</td>
              </tr>
            )}
            {keys.map((key) => (
              <tr data-key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{formatTime(key.lastUsedAt)}</td>
                <td>
                  {key.revokedAt !== null ? (
                    <span class="badge revoked">{`revoked ${formatTime(key.revokedAt)}`}</span>
                  ) : (
                    <DangerAction
                      action={`${page.base}/keys/${encodeURIComponent(key.id)}/revoke`}
                      confirm={`Revoke the key “${key.name}”? Clients using it stop working at once.`}
                      csrf={page.csrf}
                      label="Revoke"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card">
        <h2>Create a key</h2>
        <FormErrors errors={errors} />
        <form method="post" action={`${page.base}/keys`}>
          <CsrfField token={page.csrf} />
          <Field label="Name" name="name" value={form.name} error={errors.name} required hint="Who or what uses it, e.g. BI export" />
          <fieldset class={errors.scopes ? 'field invalid' : 'field'}>
            <legend>Scopes</legend>
            {SCOPES.map((scope) => (
              <label class="check">
                <input type="checkbox" name={`scope:${scope}`} value="on" checked={form.scopes.includes(scope)} />
                {scope}
              </label>
            ))}
            {errors.scopes && <small class="error">{errors.scopes}</small>}
          </fieldset>
          <button type="submit">Create key</button>
        </form>
      </section>
    </Layout>
  );
}
