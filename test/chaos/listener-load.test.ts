import { randomBytes, randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { PublishedCounter } from '../support/published-counter.js';
import { startRoleProcess, type RoleProcess } from '../support/role-process.js';
import { signedNotificationLoad } from '../support/signed-load.js';

// The listener as a process on the Pub/Sub emulator, loaded over loopback: first flat out for a
// few seconds to find its maximum here, then at 80 % of it for LOAD_SECONDS (60 by default).
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const project = `demo-load-${randomUUID().slice(0, 8)}`;
const topic = `load-in-${project}`;
const appSecret = randomBytes(16).toString('hex');

let pubsub: PubSub;
let listener: RoleProcess;
let counter: PublishedCounter;

beforeAll(async () => {
  pubsub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
  await pubsub.createTopic(topic);
  counter = new PublishedCounter(pubsub, topic, `${topic}-count`);
  await counter.start();
  listener = await startRoleProcess({
    ROLE: 'listener',
    PROJECT_ID: project,
    PUBSUB_TOPIC: topic,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
  });
}, 60_000);

afterAll(async () => {
  await listener?.child.kill();
  await counter?.stop();
  await pubsub?.close();
});

describe('the listener under load', () => {
  it(`answers every notification for ${LOAD_SECONDS} s at 80 % of its measured maximum, and publishes every one it accepted`, async () => {
    const probe = await signedNotificationLoad(listener.baseUrl, appSecret, { seconds: 5, connections: 20 });
    expect(probe.non2xx + probe.errors).toBe(0);
    const rate = 0.8 * probe.requestsPerSecond;

    const load = await signedNotificationLoad(listener.baseUrl, appSecret, { seconds: LOAD_SECONDS, connections: 20, rate });

    const accepted = new Set([...probe.acceptedWamids, ...load.acceptedWamids]);
    expect(accepted.size).toBe(probe.accepted + load.accepted);
    const expected = accepted.size;
    const published = await counter.waitForAll(accepted, 120_000);
    console.log(
      `listener load: maximum ${Math.round(probe.requestsPerSecond)} req/s; ${LOAD_SECONDS} s at ${Math.round(rate)} req/s: ` +
        `${load.accepted} accepted, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts; ${published} of ${expected} accepted published`,
    );
    expect({ non2xx: load.non2xx, errors: load.errors, timeouts: load.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(load.accepted).toBeGreaterThan(0);
    expect(published).toBe(expected);
    // Nothing published that was not sent (a request cut off by the end of a run may still be published).
    expect([...counter.wamids].filter((wamid) => !probe.wamids.has(wamid) && !load.wamids.has(wamid))).toEqual([]);
  }, (LOAD_SECONDS + 200) * 1000);
});
