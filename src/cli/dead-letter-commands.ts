import { parseArgs } from 'node:util';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Database } from '../adapters/postgres/database.js';
import { PostgresDeadLetterStore } from '../adapters/postgres/postgres-dead-letter-store.js';
import { createPubSub, PubSubMessageBus } from '../adapters/pubsub/pubsub-message-bus.js';
import type { CliConfig } from '../config/config.js';
import type { DeadLetter } from '../domain/model/dead-letter.js';
import { ListDeadLetters } from '../domain/use-cases/list-dead-letters.js';
import { ReplayDeadLetter } from '../domain/use-cases/replay-dead-letter.js';
import type { Output } from './run-cli.js';

export const DEAD_LETTER_USAGE = `  dead-letters list [--limit <n>] [--cursor <cursor>]
                                            list dead-lettered messages, newest first (never their text)
  dead-letters replay <id> [--force]        publish one again on its topic (needs PROJECT_ID: Pub/Sub);
                                            a replayed letter is published again only with --force`;

export interface DeadLetterCommand {
  /** Problems with the arguments (exit 2 with the usage), found before anything is opened. */
  problems: string[];
  run(open: () => Promise<Database>, io: Output): Promise<number>;
}

/** `dead-letters list|replay …`, or undefined when `sub` is neither. */
export function deadLetterCommand(sub: string | undefined, args: string[], config: CliConfig): DeadLetterCommand | undefined {
  if (sub === 'list') {
    const { values, positionals } = parseArgs({ args, options: { limit: { type: 'string' }, cursor: { type: 'string' } }, strict: true, allowPositionals: true });
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    const problems = [
      ...(positionals.length ? [`unexpected argument: ${positionals.join(' ')}`] : []),
      ...(!Number.isInteger(limit) || limit < 1 || limit > 100 ? ['--limit must be a whole number from 1 to 100'] : []),
    ];
    return { problems, run: (open, io) => list(open, io, limit, values.cursor) };
  }
  if (sub === 'replay') {
    const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean' } }, strict: true, allowPositionals: true });
    const problems = [
      ...(positionals.length !== 1 ? ['replay takes exactly one dead letter id'] : []),
      // An in-process bus has nobody consuming it: a replay must reach the worker through Pub/Sub.
      ...(!config.PROJECT_ID ? ['dead-letters replay needs PROJECT_ID (Pub/Sub; with PUBSUB_EMULATOR_HOST for the emulator): without it nothing would reach a worker'] : []),
    ];
    return { problems, run: (open, io) => replay(open, io, config, positionals[0]!, values.force === true) };
  }
  return undefined;
}

async function list(open: () => Promise<Database>, io: Output, limit: number, cursor: string | undefined): Promise<number> {
  const database = await open();
  const page = await new ListDeadLetters(new PostgresDeadLetterStore(database.orm)).execute({ limit, cursor });
  if (page.items.length === 0) io.out('no dead letters');
  for (const letter of page.items) io.out(lineOf(letter));
  if (page.nextCursor) io.out(`more: dead-letters list --limit ${limit} --cursor ${page.nextCursor}`);
  return 0;
}

async function replay(open: () => Promise<Database>, io: Output, config: CliConfig, id: string, force: boolean): Promise<number> {
  const database = await open();
  const pubsub = createPubSub(config.PROJECT_ID!, config.PUBSUB_EMULATOR_HOST ? { apiEndpoint: config.PUBSUB_EMULATOR_HOST } : {});
  const bus = new PubSubMessageBus(pubsub, { inbound: config.PUBSUB_TOPIC, interactions: config.PUBSUB_INTERACTIONS_TOPIC });
  try {
    const outcome = await new ReplayDeadLetter(new PostgresDeadLetterStore(database.orm), bus, new SystemClock()).execute({ id, force });
    if (outcome.kind === 'not-found') {
      io.err(`no dead letter with id ${id}`);
      return 2;
    }
    const { letter } = outcome;
    const topic = letter.topic === 'inbound' ? config.PUBSUB_TOPIC : config.PUBSUB_INTERACTIONS_TOPIC;
    io.out(
      outcome.kind === 'replayed'
        ? `replayed: ${letter.id} published again to ${topic} (replay ${letter.replays})`
        : `already-replayed: ${letter.id} was replayed at ${iso(letter.replayedAt)}; nothing was published (--force publishes it again)`,
    );
    return 0;
  } finally {
    await bus.close();
  }
}

function lineOf(letter: DeadLetter): string {
  const attempts = letter.deliveryAttempts === undefined ? 'attempts ?' : `attempts ${letter.deliveryAttempts}`;
  const replayed = letter.replayedAt === null ? 'never replayed' : `replayed ${iso(letter.replayedAt)} (${letter.replays}x)`;
  return `${letter.id}  ${letter.topic}  ${iso(letter.deadLetteredAt)}  ${attempts}  ${letter.conversationId}  ${replayed}`;
}

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
