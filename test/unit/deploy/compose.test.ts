import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../../src/config/config.js';
import { planFrom } from '../../../src/adapters/pubsub/provision.js';
import { parseDatabaseUrl } from '../../../src/adapters/postgres/database-url.js';
import { PASSED_THROUGH, provisionSettings, roleSettings, ROLE_NAMES, type RoleName } from '../../../scripts/dev-cloud-env.js';
import { composeSchemaValidator, loadCompose, serviceEnvironment, type ComposeFile, type ComposeService, type Shell } from '../../support/compose-file.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEXT = readFileSync(`${ROOT}compose.yaml`, 'utf8');
const validate = composeSchemaValidator();

/** The literal names in dev:cloud's pass-through pattern, plus the WHATSAPP_* names CONTRACT.md lists. */
const PASSED_NAMES = [
  ...PASSED_THROUGH.source.replace(/^\^\(|\)\$$/g, '').split('|').filter((name) => /^[A-Z_]+$/.test(name)),
  ...['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_API_BASE_URL', 'WHATSAPP_API_VERSION'],
];

/** A shell with a valid value for every variable dev:cloud passes through. */
const FULL_SHELL: Shell = {
  WHATSAPP_APP_SECRET: 'compose-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'compose-verify-token',
  WHATSAPP_ACCESS_TOKEN: 'compose-access-token',
  WHATSAPP_API_BASE_URL: 'http://host.docker.internal:8090',
  WHATSAPP_API_VERSION: 'v22.0',
  API_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  API_CALLBACK_SECRET: 'whsec_c2Vjb25kLWtleS1mb3ItY2FsbGJhY2tzLTEyMzQ=',
  BOOTSTRAP_API_KEY: 'compose-bootstrap-key-0001',
  CALLBACK_ALLOWED_HOSTS: 'receiver.example',
  SYSTEM_PROMPT: 'You answer for a bakery.',
  FALLBACK_TEXT: 'Sorry, try again later.',
  MEDIA_REPLY_TEXT: 'I can only read text.',
  ADMIN_EMAIL: 'admin@example.org',
  ADMIN_PASSWORD: 'change me, please',
  LOG_LEVEL: 'debug',
  PUBSUB_TOPIC: 'compose-inbound',
  PUBSUB_INTERACTIONS_TOPIC: 'compose-interactions',
  COALESCE_WINDOW_MS: '1500',
};
const EMPTY_SHELL: Shell = {};

function service(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

/** `host:port` an emulator service listens on, from its `--host-port=0.0.0.0:PORT`. */
function emulatorAddress(file: ComposeFile, name: string): string {
  const command = service(file, name).command;
  const flag = (Array.isArray(command) ? command : String(command).split(' ')).find((arg) => arg.startsWith('--host-port='));
  if (!flag) throw new Error(`${name} has no --host-port`);
  return `${name}:${flag.split(':').at(-1)}`;
}

const dependsOn = (entry: ComposeService) => (Array.isArray(entry.depends_on) ? {} : (entry.depends_on ?? {}));

describe('compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    for (const shell of [EMPTY_SHELL, FULL_SHELL]) expect(validate(loadCompose(TEXT, shell))).toEqual([]);
  });

  it('fails the schema when a service is broken', () => {
    const broken = (edit: (file: ComposeFile) => void) => {
      const file = parse(stringify(loadCompose(TEXT, EMPTY_SHELL))) as ComposeFile;
      edit(file);
      return validate(file);
    };
    expect(broken((file) => (dependsOn(service(file, 'worker'))['provision']!.condition = 'service_finished'))).not.toEqual([]);
    expect(broken((file) => ((service(file, 'api').healthcheck as Record<string, unknown>)['interval'] = 'five seconds'))).not.toEqual([]);
    expect(broken((file) => ((service(file, 'listener') as Record<string, unknown>)['enviroment'] = {}))).not.toEqual([]);
    expect(broken((file) => (service(file, 'listener').ports = ['127.0.0.1:http:8080']))).not.toEqual([]);
  });

  it('builds the one image from the Dockerfile for every service that runs it, and compiles provisioning into it', () => {
    const file = loadCompose(TEXT, EMPTY_SHELL);
    for (const name of [...ROLE_NAMES, 'provision']) {
      expect(service(file, name).build, name).toBe('.');
      expect(service(file, name).image, name).toBe(service(file, 'provision').image);
    }
    expect(service(file, 'provision').command).toEqual(['node', 'dist/provision.js']);
    // dist/provision.js is src/provision.ts compiled by the image's `tsc -p tsconfig.build.json`.
    expect(existsSync(`${ROOT}src/provision.ts`)).toBe(true);
    const build = JSON.parse(readFileSync(`${ROOT}tsconfig.build.json`, 'utf8')) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
    expect([build.compilerOptions.rootDir, build.compilerOptions.outDir, build.include]).toEqual(['src', 'dist', ['src']]);
    expect(readFileSync(`${ROOT}Dockerfile`, 'utf8')).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
  });

  it.each([['an empty shell', EMPTY_SHELL], ['a shell with every passed variable', FULL_SHELL]])(
    'gives each role an environment the real config loader accepts, with its ROLE and PUSH_AUTH=none, with %s',
    (_label, shell) => {
      const file = loadCompose(TEXT, shell);
      for (const role of ROLE_NAMES) {
        const env = serviceEnvironment(service(file, role), shell);
        expect(env['PUSH_AUTH'], role).toBe('none');
        const config = loadConfig(env);
        expect(config.ROLE).toBe(role);
        expect(config.PUSH_AUTH).toBe('none');
        expect(config.HOST).toBe('0.0.0.0');
      }
    },
  );

  it('passes on from the shell every variable dev:cloud passes on', () => {
    expect(PASSED_NAMES.length).toBeGreaterThan(15);
    for (const name of PASSED_NAMES) expect(FULL_SHELL[name], `FULL_SHELL lacks ${name}`).toBeDefined();
    const file = loadCompose(TEXT, FULL_SHELL);
    for (const role of ROLE_NAMES) {
      const env = serviceEnvironment(service(file, role), FULL_SHELL);
      for (const name of PASSED_NAMES) expect(env[name], `${role}: ${name}`).toBe(FULL_SHELL[name]);
    }
  });

  it('gives each role exactly the settings of dev:cloud, at the Compose addresses (the api on PostgreSQL besides)', () => {
    const file = loadCompose(TEXT, FULL_SHELL);
    for (const role of ROLE_NAMES) {
      const env = serviceEnvironment(service(file, role), FULL_SHELL);
      const place = { port: 8080, host: '0.0.0.0', projectId: env['PROJECT_ID']!, pubsubHost: emulatorAddress(file, 'pubsub'), firestoreHost: emulatorAddress(file, 'firestore') };
      const expected = { ...roleSettings(role, place, FULL_SHELL), ...(role === 'api' ? { DATABASE_URL: env['DATABASE_URL'] } : {}) };
      expect(env, role).toEqual(expected);
    }
    expect(serviceEnvironment(service(file, 'listener'), FULL_SHELL)['PROJECT_ID']).toBe(serviceEnvironment(service(file, 'provision'), FULL_SHELL)['PROJECT_ID']);
  });

  it('points the api at the postgres service with its own user, password and database', () => {
    const file = loadCompose(TEXT, EMPTY_SHELL);
    const url = new URL(serviceEnvironment(service(file, 'api'), EMPTY_SHELL)['DATABASE_URL']!);
    const postgres = serviceEnvironment(service(file, 'postgres'), EMPTY_SHELL);
    expect({ host: url.hostname, port: url.port, user: url.username, password: url.password, db: url.pathname.slice(1) }).toEqual({
      host: 'postgres',
      port: '5432',
      user: postgres['POSTGRES_USER'],
      password: postgres['POSTGRES_PASSWORD'],
      db: postgres['POSTGRES_DB'],
    });
    expect(() => parseDatabaseUrl(url.toString())).not.toThrow();
  });

  it('provisions push subscriptions to the worker and api services, as dev:cloud provisions them', () => {
    for (const shell of [EMPTY_SHELL, FULL_SHELL]) {
      const file = loadCompose(TEXT, shell);
      const env = serviceEnvironment(service(file, 'provision'), shell);
      expect(env['PUBSUB_EMULATOR_HOST']).toBe(emulatorAddress(file, 'pubsub'));
      const composeUrl = (role: RoleName) => `http://${role}:${serviceEnvironment(service(file, role), shell)['PORT']}`;
      const plan = planFrom(env);
      expect(plan).toEqual(planFrom(provisionSettings(composeUrl, shell)));
      const pushes = plan.subscriptions.flatMap((s) => (s.delivery.mode === 'push' ? [{ name: s.name, topic: s.topic, url: new URL(s.delivery.endpoint) }] : []));
      expect(pushes.length).toBe(4);
      for (const push of pushes) {
        const role = push.url.pathname === '/pubsub/push' ? 'worker' : 'api';
        expect(push.url.host, push.name).toBe(`${role}:8080`);
        expect(serviceEnvironment(service(file, role), shell)['PORT']).toBe('8080');
      }
      const topicOf = (role: RoleName) => serviceEnvironment(service(file, role), shell)['PUBSUB_TOPIC'];
      expect(plan.topics[0]).toBe(topicOf('listener') ?? 'vocoeng-inbound');
      expect(topicOf('worker')).toBe(topicOf('listener'));
    }
  });

  it('starts provisioning on a healthy emulator and each role after provisioning, with a /healthz check', () => {
    const file = loadCompose(TEXT, EMPTY_SHELL);
    expect(dependsOn(service(file, 'provision'))).toEqual({ pubsub: { condition: 'service_healthy' } });
    for (const role of ROLE_NAMES) {
      const needs = dependsOn(service(file, role));
      expect(needs['provision'], role).toEqual({ condition: 'service_completed_successfully' });
      expect(needs['firestore'], role).toEqual({ condition: 'service_healthy' });
      expect(JSON.stringify(service(file, role).healthcheck?.test), role).toContain('http://127.0.0.1:8080/healthz');
    }
    expect(dependsOn(service(file, 'api'))['postgres']).toEqual({ condition: 'service_healthy' });
    for (const [name, entry] of Object.entries(file.services)) {
      for (const [needed, { condition }] of Object.entries(dependsOn(entry))) {
        expect(file.services[needed], `${name} depends on ${needed}`).toBeDefined();
        if (condition === 'service_healthy') expect(file.services[needed]!.healthcheck, `${needed} needs a healthcheck`).toBeDefined();
      }
    }
  });

  it('publishes the roles on loopback only, on the ports dev:cloud uses', () => {
    const file = loadCompose(TEXT, EMPTY_SHELL);
    expect(ROLE_NAMES.map((role) => service(file, role).ports)).toEqual([['127.0.0.1:8080:8080'], ['127.0.0.1:8081:8080'], ['127.0.0.1:8082:8080']]);
    for (const [name, entry] of Object.entries(file.services)) for (const port of entry.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
  });
});
