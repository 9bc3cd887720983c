import { OAuth2Client } from 'google-auth-library';

// A test-only preload (`node --import tsx --import ./test/support/federated-certs-hook.ts …`) for a
// role process whose Pub/Sub push tokens come from a local issuer instead of Google: the
// library's own certificate fetch (transport, Cache-Control caching, PEM parsing) stays as it is,
// only the federated certificates URL (https://www.googleapis.com/oauth2/v1/certs) is pointed at
// the issuer's. No production setting exists for this: a deployed role trusts Google's keys only.
const url = process.env.VOCOENG_TEST_FEDERATED_CERTS_URL;
if (!url) throw new Error('federated-certs-hook: VOCOENG_TEST_FEDERATED_CERTS_URL is not set');
if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error('federated-certs-hook: the local issuer must listen on 127.0.0.1');

type Endpoints = { oauth2FederatedSignonPemCertsUrl: string | URL };
const fetchCertificates = OAuth2Client.prototype.getFederatedSignonCertsAsync;
OAuth2Client.prototype.getFederatedSignonCertsAsync = function (this: OAuth2Client) {
  (this.endpoints as Endpoints).oauth2FederatedSignonPemCertsUrl = url;
  return fetchCertificates.call(this);
};
