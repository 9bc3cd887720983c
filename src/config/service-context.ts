import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Error Reporting's name for the code that failed (ServiceContext of a ReportedErrorEvent). */
export interface ServiceContext {
  service: string;
  version: string;
}

// The Cloud Run service names of CONTRACT.md, so a process outside Cloud Run reports under the
// name it would have there.
const SERVICE_OF_ROLE: Record<string, string> = { listener: 'vocoeng-webhook-listener', worker: 'vocoeng-worker', api: 'vocoeng-api' };

/**
 * Cloud Run's own service and revision (`K_SERVICE`, `K_REVISION`, set on every instance), else
 * the role's service name and the package version. Read leniently from the raw environment: a
 * startup error is reported before the configuration is known to be valid.
 */
export function serviceContextOf(env: Readonly<Record<string, string | undefined>>): ServiceContext {
  return {
    service: env.K_SERVICE || SERVICE_OF_ROLE[env.ROLE ?? ''] || 'vocoeng',
    version: env.K_REVISION || PACKAGE_VERSION,
  };
}

/** The version in the nearest package.json above this module (src/, dist/ or a test build under .tmp/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

const PACKAGE_VERSION = packageVersion();
