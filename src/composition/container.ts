import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { NO_METRICS, type Metrics } from '../observability/metrics.js';
import type { Database } from '../adapters/postgres/database.js';
import type { CertificateSource } from '../http/auth/push-oidc.js';
import { adaptersModule } from './adapters-module.js';
import { crashPlanOf, installCrashPoints } from './crash-points.js';
import { TOKENS, type Token } from './tokens.js';
import { useCasesModule } from './use-cases-module.js';

export interface ContainerOptions {
  logger: Logger;
  /** Adapters to use instead of the configured ones (tests swap in fakes here). */
  overrides?: Partial<Record<Token, unknown>>;
  /** The opened database of the api role; without it analytics and API keys stay in memory. */
  database?: Database;
  /** Google's OIDC signing keys are fetched from Google unless given here (tests sign with a local key). */
  pushCertificates?: CertificateSource;
  /** The started exporter (`startMetrics`); without it nothing is recorded. The role closes it on stop. */
  metrics?: Metrics;
}

/** The composition root: config and logger, the configured adapters, the use cases. */
export function buildContainer(config: Config, options: ContainerOptions): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(
    new ContainerModule(({ bind }) => {
      bind(TOKENS.Config).toConstantValue(config);
      bind(TOKENS.Logger).toConstantValue(options.logger);
      bind(TOKENS.Metrics).toConstantValue(options.metrics ?? NO_METRICS);
    }),
    adaptersModule(config, options.logger, options.database, options.pushCertificates),
    useCasesModule,
  );
  for (const token of Object.getOwnPropertySymbols(options.overrides ?? {}) as Token[]) {
    container.rebind(token).toConstantValue(options.overrides![token]);
  }
  if (config.FAULT_CRASH_AT) installCrashPoints(container, crashPlanOf(config.FAULT_CRASH_AT));
  return container;
}
