import { randomBytes, randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import type { Child } from './child-process.js';
import { aFreshDatabase, type DatabaseKind } from './databases.js';
import { GraphApiDouble } from './graph-api-double.js';
import { sensitive } from './log-sink.js';
import { OpenAiDouble } from './openai-double.js';
import { aFreePort } from './ports.js';
import { spawnMain } from './role-process.js';
import { metaJson, metaSignature } from './signing.js';
import { aWamid, someParties, textNotification, type WhatsAppParties } from './whatsapp-notifications.js';

const READY_LINE = /"message":"VocoEng \w+ ready on /;
/** Meta retries a webhook that got no 200; the double's status webhooks are retried this often. */
const STATUS_RETRY_MS = 500;
const TERMINAL = new Set(['sent', 'unsent', 'failed', 'send-unknown', 'skipped']);

/** What the API shows of a stored message (the fields these tests read). */
export interface TranscriptEntry {
  id: string;
  text: string | null;
  state: string;
  reply: { text: string; createdAt: string } | null;
  outboundIds: string[];
  delivery: { status: string } | null;
}

/**
 * One world of `npm start` runs that share a data directory: ROLE=all without PROJECT_ID, on
 * embedded PGlite under its own DATA_DIR or on a fresh database of the run's PostgreSQL server,
 * always on the same port (Meta's webhooks keep one URL across restarts), with its own OpenAI and
 * Graph doubles. The Graph double posts Meta's `sent` status of every accepted reply back to the
 * listener, signed, retrying while no process answers 200 (as Meta does). Each process's output
 * is appended to `logFile` when it exits.
 */
export class EmbeddedRun {
  /** Each answer names the request it answers, so a second generation is told from the first. */
  readonly openai = new OpenAiDouble({ compose: (last, index) => `reply ${index} to «${last}»` });
  readonly graph = new GraphApiDouble();
  readonly parties: WhatsAppParties = someParties();
  readonly conversationId = conversationIdFor('whatsapp', this.parties.phoneNumberId, this.parties.customer);
  readonly tag = randomUUID().slice(0, 8);
  readonly logFile: string;
  private readonly secrets = {
    appSecret: sensitive(randomBytes(16).toString('hex')),
    verifyToken: sensitive(`verify-${randomUUID()}`),
    apiKey: sensitive(`vk_${randomBytes(24).toString('base64url')}`),
  };
  private readonly notifications = new Map<string, string>();
  private port = 0;
  private dataDir = '';
  private database: { url?: string; close(): Promise<void> } | undefined;
  private statusesPending = 0;
  private stopped = false;
  readonly children: Child[] = [];

  constructor(
    readonly label: string,
    private readonly kind: DatabaseKind,
  ) {
    this.logFile = join(tmpdir(), 'vocoeng-embedded-restart', `${label}.log`);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await Promise.all([this.openai.start(), this.graph.start(), mkdir(join(tmpdir(), 'vocoeng-embedded-restart'), { recursive: true })]);
    await writeFile(this.logFile, '');
    this.port = await aFreePort();
    this.dataDir = await mkdtemp(join(tmpdir(), 'vocoeng-data-'));
    if (this.kind === 'postgres') this.database = await aFreshDatabase('postgres');
    this.graph.emitStatuses(async (notification) => {
      this.statusesPending += 1;
      try {
        await this.deliverStatus(metaJson(notification));
      } finally {
        this.statusesPending -= 1;
      }
    });
  }

  /**
   * `npm start`'s process on this world (with `FAULT_CRASH_AT` when given, and `env` on top);
   * resolves once it is ready.
   */
  async spawn(options: { crashAt?: string; env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<Child> {
    const { crashAt, readyTimeoutMs = 120_000 } = options;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      METADATA_SERVER_DETECTION: 'none',
      LOG_LEVEL: 'info',
      ROLE: 'all',
      HOST: '127.0.0.1',
      PORT: String(this.port),
      DATA_DIR: this.dataDir,
      ...(this.database?.url ? { DATABASE_URL: this.database.url } : {}),
      OPENAI_BASE_URL: this.openai.baseUrl,
      OPENAI_API_KEY: `sk-test-${this.tag}`,
      WHATSAPP_APP_SECRET: this.secrets.appSecret,
      WHATSAPP_VERIFY_TOKEN: this.secrets.verifyToken,
      WHATSAPP_ACCESS_TOKEN: this.graph.accessToken,
      WHATSAPP_API_BASE_URL: this.graph.baseUrl,
      BOOTSTRAP_API_KEY: this.secrets.apiKey,
      ...(crashAt ? { FAULT_CRASH_AT: crashAt } : {}),
      ...options.env,
    };
    const child = spawnMain(env);
    this.children.push(child);
    const startedAt = new Date().toISOString();
    void child.exited.then(async (exit) => {
      const header = `===== process started ${startedAt} FAULT_CRASH_AT=${crashAt ?? '(none)'} exit ${JSON.stringify(exit)}`;
      await appendFile(this.logFile, `${header}\n${child.stdout}\n----- stderr\n${child.stderr}\n`).catch(() => undefined);
    });
    try {
      await child.waitForLine((line) => READY_LINE.test(line), readyTimeoutMs);
    } catch (error) {
      await child.kill();
      throw error;
    }
    return child;
  }

  /** A text message of this run's conversation (the same notification each time it is asked for again). */
  notificationOf(name: string): { wamid: string; text: string; raw: string } {
    let raw = this.notifications.get(name);
    if (raw === undefined) {
      raw = metaJson(textNotification(this.parties, { id: aWamid(), body: `restart ${this.tag} ${name} ${randomUUID()}` }));
      this.notifications.set(name, raw);
    }
    const message = (JSON.parse(raw) as { entry: [{ changes: [{ value: { messages: [{ id: string; text: { body: string } }] } }] }] }).entry[0].changes[0].value.messages[0];
    return { wamid: message.id, text: message.text.body, raw };
  }

  /** Posts a notification as Meta does (signed); the status, or `no answer` when the connection died first. */
  async post(name: string): Promise<number | 'no answer'> {
    return this.postRaw(this.notificationOf(name).raw);
  }

  async transcript(): Promise<{ status: number; messages: TranscriptEntry[] }> {
    const response = await this.api(`/api/v1/conversations/${this.conversationId}/messages?limit=50`);
    const body = (await response.json()) as { messages?: TranscriptEntry[] };
    return { status: response.status, messages: body.messages ?? [] };
  }

  async summary(): Promise<{ messagesIn?: number; messagesOut?: number; conversations?: number }> {
    return (await (await this.api('/api/v1/analytics/summary')).json()) as { messagesIn?: number };
  }

  /**
   * True when the named messages are stored in a terminal state, every reply Graph accepted is
   * known to its record (by its sender, or by the status that settled it), no status webhook
   * waits for a process, and analytics counts exactly these messages.
   */
  async settled(names: readonly string[]): Promise<boolean> {
    const { status, messages } = await this.transcript();
    if (status !== 200 || this.statusesPending > 0) return false;
    const byId = new Map(messages.map((entry) => [entry.id, entry]));
    const terminal = names.every((name) => TERMINAL.has(byId.get(this.notificationOf(name).wamid)?.state ?? ''));
    const known = new Set(messages.flatMap((entry) => entry.outboundIds));
    const recorded = this.graph.acceptedIds.every((wamid) => known.has(wamid));
    return terminal && recorded && (await this.summary()).messagesIn === names.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.children.map((child) => child.kill()));
    await Promise.allSettled([this.openai.stop(), this.graph.stop()]);
    await this.database?.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private api(path: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.secrets.apiKey}` } });
  }

  private async postRaw(raw: string): Promise<number | 'no answer'> {
    try {
      const response = await fetch(`${this.baseUrl}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, this.secrets.appSecret) },
        body: raw,
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 'no answer';
    }
  }

  private async deliverStatus(raw: string): Promise<void> {
    while (!this.stopped) {
      if ((await this.postRaw(raw)) === 200) return;
      await new Promise((resolve) => setTimeout(resolve, STATUS_RETRY_MS));
    }
  }
}

/** Resolves true once `condition` holds, checking it every `everyMs`; false when `deadline` (epoch ms) passes first. */
export async function eventually(condition: () => Promise<boolean>, deadline: number, everyMs = 250): Promise<boolean> {
  for (;;) {
    if (await condition().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
