import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { ADMIN_SCRIPT } from './assets/admin-script.js';
import { ADMIN_STYLE } from './assets/admin-style.js';

const CACHE = 'public, max-age=3600';

/** Chart.js's UMD build from node_modules (resolved from the package, so it works from src/ and dist/). */
function chartJsPath(): string {
  // The package's exports hide dist/*; its CommonJS entry lives in that same directory.
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

/** The dashboard's static files: its stylesheet, its script and Chart.js. */
export function assetRoutes(): Hono {
  const app = new Hono();
  let chartJs: Promise<Buffer> | undefined;

  app.get('/assets/admin.css', (c) => c.body(ADMIN_STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': CACHE }));
  app.get('/assets/admin.js', (c) => c.body(ADMIN_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': CACHE }));
  app.get('/assets/chart.umd.min.js', async (c) => {
    chartJs ??= readFile(chartJsPath()).catch((error: unknown) => {
      chartJs = undefined;
      throw error;
    });
    const body = new Uint8Array(await chartJs);
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': CACHE });
  });
  return app;
}
