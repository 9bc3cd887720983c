import type { Message, Subscription } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresDeadLetterStore } from '../../src/adapters/postgres/postgres-dead-letter-store.js';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { DeadLetter } from '../../src/domain/model/dead-letter.js';
import { aMessage } from '../support/builders.js';
import { anInboundDeadLetter } from '../support/dead-letters.js';
import { aFreshDatabase } from '../support/databases.js';

const project = inject('emulatorProject');
const emulator = inject('pubsubEmulatorHost');
const topic = `cli-dl-${randomUUID().slice(0, 8)}-in`;
const pubsub = createPubSub(project, { apiEndpoint: emulator });
const TEXT = 'Bitte storniert meine Bestellung 4711';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

describe('vocoeng CLI: dead-letters', () => {
  let db: Database & { url?: string };
  let store: PostgresDeadLetterStore;
  let subscription: Subscription;
  const received: Message[] = [];
  let env: Record<string, string>;
  let cloudEnv: Record<string, string>;

  beforeAll(async () => {
    db = await aFreshDatabase('postgres');
    store = new PostgresDeadLetterStore(db.orm);
    env = { DATABASE_URL: db.url! };
    cloudEnv = { ...env, PROJECT_ID: project, PUBSUB_EMULATOR_HOST: emulator, PUBSUB_TOPIC: topic };
    const [created] = await pubsub.createTopic(topic);
    [subscription] = await created.createSubscription(`${topic}-probe`, { enableMessageOrdering: true });
    subscription.on('message', (message: Message) => {
      received.push(message);
      message.ack();
    });
  });
  afterAll(async () => {
    await subscription?.close();
    await pubsub.subscription(`${topic}-probe`).delete().catch(() => undefined);
    await pubsub.close();
    await db?.close();
  });

  async function aLetter(at = Date.UTC(2026, 10, 25, 9, 0)): Promise<DeadLetter> {
    return (await store.add(anInboundDeadLetter({ message: aMessage({ text: TEXT }), deadLetteredAt: at }))).letter;
  }

  async function arrived(count: number): Promise<Message[]> {
    const deadline = Date.now() + 10_000;
    while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return received;
  }

  it('lists dead letters newest first with topic, time, attempts and conversation, never their text, a page at a time', async () => {
    const older = await aLetter(Date.UTC(2026, 10, 25, 8, 0));
    const newer = await aLetter(Date.UTC(2026, 10, 25, 8, 30));

    const run = io();
    expect(await runCli(['dead-letters', 'list', '--limit', '1'], env, run.io)).toBe(0);

    expect(run.out[0]).toBe(`${newer.id}  inbound  2026-11-25T08:30:00.000Z  attempts 5  ${newer.conversationId}  never replayed`);
    expect(run.out[1]).toMatch(/^more: dead-letters list --limit 1 --cursor \S+$/);
    const next = io();
    expect(await runCli(['dead-letters', 'list', '--limit', '1', '--cursor', run.out[1]!.split(' ').at(-1)!], env, next.io)).toBe(0);
    expect(next.out[0]).toContain(older.id);
    expect([...run.out, ...next.out].join('\n')).not.toContain('storniert');
  });

  it('refuses to replay without PROJECT_ID, naming why, and marks nothing', async () => {
    const letter = await aLetter();
    const run = io();
    expect(await runCli(['dead-letters', 'replay', letter.id], env, run.io)).toBe(2);
    expect(run.err[0]).toMatch(/^dead-letters replay needs PROJECT_ID .*nothing would reach a worker$/);
    expect((await store.get(letter.id))?.replays).toBe(0);
  });

  it('replays once to the topic with the ordering key, says already-replayed the second time without publishing, and publishes again with --force', async () => {
    const letter = await aLetter();
    const before = received.length;

    const first = io();
    expect(await runCli(['dead-letters', 'replay', letter.id], cloudEnv, first.io)).toBe(0);
    expect(first.out).toEqual([`replayed: ${letter.id} published again to ${topic} (replay 1)`]);
    const [message] = (await arrived(before + 1)).slice(before);
    expect(JSON.parse(message!.data.toString('utf8'))).toEqual(letter.event);
    expect(message!.attributes).toMatchObject({ kind: 'message', replayOf: letter.id });
    expect(message!.orderingKey).toBe(letter.conversationId);

    const second = io();
    expect(await runCli(['dead-letters', 'replay', letter.id], cloudEnv, second.io)).toBe(0);
    expect(second.out[0]).toMatch(new RegExp(`^already-replayed: ${letter.id} was replayed at \\S+; nothing was published`));
    // A marker of the same ordering key, published after the command returned, arrives after
    // anything the command published: once it is here, nothing came in between.
    const marker = `marker-${randomUUID()}`;
    await pubsub.topic(topic, { messageOrdering: true }).publishMessage({ data: Buffer.from(marker), orderingKey: letter.conversationId });
    expect((await arrived(before + 2)).slice(before + 1).map((m) => m.data.toString('utf8'))).toEqual([marker]);

    const forced = io();
    expect(await runCli(['dead-letters', 'replay', letter.id, '--force'], cloudEnv, forced.io)).toBe(0);
    expect(forced.out).toEqual([`replayed: ${letter.id} published again to ${topic} (replay 2)`]);
    const [again] = (await arrived(before + 3)).slice(before + 2);
    expect(JSON.parse(again!.data.toString('utf8'))).toEqual(letter.event);
    expect(received.length).toBe(before + 3);
  });

  it('exits 2 for an unknown id, a bad --limit or a missing id', async () => {
    const unknown = io();
    expect(await runCli(['dead-letters', 'replay', '00000000-0000-4000-8000-000000000000'], cloudEnv, unknown.io)).toBe(2);
    expect(unknown.err[0]).toBe('no dead letter with id 00000000-0000-4000-8000-000000000000');
    for (const argv of [['dead-letters', 'list', '--limit', '0'], ['dead-letters', 'replay'], ['dead-letters', 'frob']]) {
      const run = io();
      expect(await runCli(argv, cloudEnv, run.io), argv.join(' ')).toBe(2);
      expect(run.err.join('\n')).toContain('Usage: vocoeng <command>');
    }
  });
});
