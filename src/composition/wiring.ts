import 'reflect-metadata';
import { Container } from 'inversify';
import type { Overrides, Registry, Token } from './tokens.js';

/** Resolves a token to its registered type. */
export type Resolve = <K extends Token>(token: K) => Registry[K];

/** How each bound token is made: a factory per token, checked against the Registry. */
export type Providers = { [K in Token]?: (resolve: Resolve) => Registry[K] };

/** The built container, seen through the Registry: `get` answers the token's own type. */
export interface Wiring {
  get<K extends Token>(token: K): Registry[K];
  has(token: Token): boolean;
}

/** A provider of a value made before the container (an adapter, a client). */
export const value =
  <T>(made: T) =>
  (): T =>
    made;

/** The providers with each override in place of its token's provider (or beside them). */
export function withOverrides(providers: Providers, overrides: Overrides = {}): Providers {
  const all: Providers = { ...providers };
  for (const token of Object.getOwnPropertySymbols(overrides) as Token[]) (all as Record<Token, unknown>)[token] = value(overrides[token]);
  return all;
}

/**
 * The composition root's one container: every provider bound as a singleton, made on first use.
 * Domain classes stay decorator-free: a provider is a plain factory.
 */
export function wire(all: Providers): Wiring {
  const container = new Container({ defaultScope: 'Singleton' });
  const resolve: Resolve = <K extends Token>(token: K) => container.get<Registry[K]>(token);
  for (const token of Object.getOwnPropertySymbols(all) as Token[]) {
    const make = all[token] as ((resolve: Resolve) => unknown) | undefined;
    if (!make) continue;
    container.bind(token).toDynamicValue(() => make(resolve)).inSingletonScope();
  }
  return { get: resolve, has: (token) => container.isBound(token) };
}
