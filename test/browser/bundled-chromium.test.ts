import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';

// The browser a fresh machine has after `npm ci` alone (no apt Chromium): proven here even where
// the system one exists, so the fallback cannot rot unseen.
const PAGE = `<!doctype html><meta charset="utf-8"><title>bundled</title>
<canvas id="c" width="40" height="40"></canvas><p id="t">Grüße 👋</p>
<script>const g = document.getElementById('c').getContext('2d'); g.fillStyle = '#ff0000'; g.fillRect(0, 0, 40, 40);</script>`;

describe('the bundled Chromium (@sparticuz/chromium)', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('renders a loopback page with script, canvas and emoji and takes a screenshot when no system browser is used', async () => {
    const browser = await launchChromium('bundled');
    try {
      const page = await browser.context.newPage();
      await page.goto(baseUrl);

      expect(browser.source).toBe('bundled');
      expect(await page.textContent('#t')).toBe('Grüße 👋');
      // A string: the test project is compiled without the DOM library.
      const pixel = await page.evaluate("Array.from(document.getElementById('c').getContext('2d').getImageData(5, 5, 1, 1).data)");
      expect(pixel).toEqual([255, 0, 0, 255]);
      const png = await page.screenshot();
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
