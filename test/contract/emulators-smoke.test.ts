import { inject, describe, expect, it } from 'vitest';

describe('the emulators started for this run', () => {
  it('answer on loopback when the suite starts', async () => {
    for (const host of [inject('pubsubEmulatorHost'), inject('firestoreEmulatorHost')]) {
      expect(host).toMatch(/^(127\.0\.0\.1|localhost):\d+$/);
      expect(await (await fetch(`http://${host}/`)).text()).toContain('Ok');
    }
  });
});
