import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors.js';
import type { ApiKeyVerifier, ApiPrincipal, Scope } from './api-keys.js';

export type AuthVariables = { principal: ApiPrincipal };

/** `Authorization: Bearer <api key>`: 401 without a valid key, 403 when it lacks `scope`. */
export function requireScope(verifier: ApiKeyVerifier, scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    const principal = match ? await verifier.verify(match[1]!) : null;
    if (!principal) {
      c.header('www-authenticate', 'Bearer');
      return c.json(errorBody('unauthorized', 'a valid API key is required (Authorization: Bearer <key>)'), 401);
    }
    if (!principal.scopes.has(scope)) return c.json(errorBody('forbidden', `this API key lacks the ${scope} scope`), 403);
    c.set('principal', principal);
    await next();
  };
}
