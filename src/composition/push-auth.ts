import type { Config } from '../config/config.js';
import { AllowAllPushAuthenticator, GoogleOidcPushAuthenticator, RefusingPushAuthenticator, type CertificateSource, type PushAuthenticator } from '../http/auth/push-oidc.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/** One authenticator per process (the worker's and the api's push endpoints): one Google certificate cache. */
export function pushAuthProviders(config: Config, certificates: CertificateSource | undefined): Providers {
  return { [TOKENS.PushAuthenticator]: () => pushAuthenticatorFor(config, certificates) };
}

/** OIDC when configured, open only when PUSH_AUTH=none says so, else closed (config refuses that for push roles). */
function pushAuthenticatorFor(config: Config, certificates: CertificateSource | undefined): PushAuthenticator {
  if (config.PUSH_AUTH === 'none') return new AllowAllPushAuthenticator();
  if (config.PUSH_AUDIENCE && config.PUSH_SERVICE_ACCOUNT) {
    return new GoogleOidcPushAuthenticator({ audience: config.PUSH_AUDIENCE, serviceAccountEmail: config.PUSH_SERVICE_ACCOUNT, ...(certificates ? { certificates } : {}) });
  }
  return new RefusingPushAuthenticator();
}
