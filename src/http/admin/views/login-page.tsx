import { Layout } from './layout.js';
import { CsrfField } from './form-parts.js';

interface LoginPageProps {
  base: string;
  csrf: string;
  email?: string;
  error?: string;
}

export function LoginPage({ base, csrf, email, error }: LoginPageProps) {
  return (
    <Layout title="Sign in" base={base}>
      <section class="card narrow">
        <h1>Sign in</h1>
        {error && (
          <p class="errors" role="alert">
            {error}
          </p>
        )}
        <form method="post" action={`${base}/login`}>
          <CsrfField token={csrf} />
          <label class="field">
            <span>E-mail</span>
            <input type="email" name="email" value={email ?? ''} autocomplete="username" required autofocus />
          </label>
          <label class="field">
            <span>Password</span>
            <input type="password" name="password" autocomplete="current-password" required />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
