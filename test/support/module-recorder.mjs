// `--import`ed by tests that check what a process loads: appends the URL of every module it
// resolves (ESM imports and CommonJS requires alike) to the file VOCOENG_TEST_MODULE_LOG names.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.VOCOENG_TEST_MODULE_LOG;
const seen = new Set();

if (file) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!seen.has(resolved.url)) {
        seen.add(resolved.url);
        appendFileSync(file, `${resolved.url}\n`);
      }
      return resolved;
    },
  });
}
