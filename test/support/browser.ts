import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots');

export type BrowserSource = 'system' | 'bundled';

/**
 * Debian's Chromium when the machine has it, else the headless Chromium that the npm package
 * @sparticuz/chromium ships (unpacked into the temp folder on first use), so `npm test` needs
 * nothing but `npm ci`. `VOCOENG_BROWSER=bundled` forces the bundled one.
 */
export async function chromiumExecutable(source: BrowserSource | undefined = preferredSource()): Promise<{ source: BrowserSource; path: string }> {
  if (source === 'system') return { source, path: CHROMIUM_PATH };
  const { default: bundled } = await import('@sparticuz/chromium');
  return { source: 'bundled', path: await bundled.executablePath() };
}

function preferredSource(): BrowserSource {
  if (process.env.VOCOENG_BROWSER === 'bundled') return 'bundled';
  return existsSync(CHROMIUM_PATH) ? 'system' : 'bundled';
}

/**
 * Chromium, headless, on a fresh profile, with every call home switched off (see TOOLCHAIN.md).
 * A browser that cannot start fails the suite: browser tests never skip.
 */
export async function launchChromium(source?: BrowserSource): Promise<{ context: BrowserContext; source: BrowserSource; close(): Promise<void> }> {
  const executable = await chromiumExecutable(source);
  const profile = await mkdtemp(join(tmpdir(), 'vocoeng-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable.path,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      '--proxy-server=http://127.0.0.1:9',
      '--proxy-bypass-list=<-loopback>;127.0.0.1;localhost',
    ],
  });
  return {
    context,
    source: executable.source,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves `test-artifacts/screenshots/<name>.png` (the whole page unless told otherwise). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true });
}
