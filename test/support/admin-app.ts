import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { InMemoryAdminDirectory } from '../../src/adapters/memory/in-memory-admin-directory.js';
import { InMemoryAnalyticsStore } from '../../src/adapters/memory/in-memory-analytics-store.js';
import { InMemoryApiKeyStore } from '../../src/adapters/memory/in-memory-api-key-store.js';
import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryDeadLetterStore } from '../../src/adapters/memory/in-memory-dead-letter-store.js';
import { ListDeadLetters } from '../../src/domain/use-cases/list-dead-letters.js';
import { ReplayDeadLetter } from '../../src/domain/use-cases/replay-dead-letter.js';
import { RecordingMessageBus } from './recording-message-bus.js';
import { GetTranscript } from '../../src/domain/use-cases/get-transcript.js';
import { AcceptAgentReply } from '../../src/domain/use-cases/accept-agent-reply.js';
import { ChangeHandoff } from '../../src/domain/use-cases/change-handoff.js';
import { QueryAnalytics } from '../../src/domain/use-cases/query-analytics.js';
import { adminRoutes, type AdminDeps } from '../../src/http/admin/admin-routes.js';
import { hashPassword } from '../../src/http/admin/passwords.js';
import { createLogger } from '../../src/observability/logger.js';
import { AdminClient } from './admin-client.js';
import { FixedClock } from './fixed-clock.js';

export const ADMIN_EMAIL = 'ada@example.org';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** The admin routes mounted at /admin as the api role does, on in-memory adapters, a recording bus and a hand-moved clock. */
export async function anAdminApp(overrides: Partial<AdminDeps> = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const clock = new FixedClock();
  const directory = new InMemoryAdminDirectory();
  const apiKeys = new InMemoryApiKeyStore();
  const analytics = new InMemoryAnalyticsStore();
  const chat = new InMemoryChatStore();
  const deadLetterStore = new InMemoryDeadLetterStore();
  const bus = new RecordingMessageBus();
  const deps: AdminDeps = {
    directory,
    apiKeys,
    queryAnalytics: new QueryAnalytics(analytics),
    getTranscript: new GetTranscript(chat),
    channels: chat,
    deadLetters: { list: new ListDeadLetters(deadLetterStore), replay: new ReplayDeadLetter(deadLetterStore, bus, clock) },
    handoff: { change: new ChangeHandoff(chat, bus, clock), reply: new AcceptAgentReply(chat, bus, clock), queue: chat },
    clock,
    logger: createLogger({ level: 'debug', stream }),
    ...overrides,
  };
  const admin = await directory.createUser({ email: ADMIN_EMAIL, passwordHash: await hashPassword(ADMIN_PASSWORD) }, clock.now());
  const app = new Hono().route('/admin', adminRoutes(deps));
  const client = () => new AdminClient((request) => app.request(request));
  return {
    app,
    deps,
    clock,
    directory,
    apiKeys,
    analytics,
    chat,
    deadLetterStore,
    /** What a replay, a handoff change and an agent reply publish. */
    bus,
    admin,
    client,
    /** A client signed in as the first admin. */
    async signedIn(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      const c = client();
      const response = await c.signIn(email, password);
      if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
      return c;
    },
    logText: () => lines.join('\n'),
  };
}
