import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32c } from '../../src/adapters/secret-manager/crc32c.js';

export interface SetOptions {
  /** The checksum to send: a given value, none at all, or a wrong one. Default: the right one. */
  crc32c?: number | 'omit' | 'corrupt';
}

interface StoredVersion {
  version: number;
  data: Buffer;
  crc32c: number | undefined;
  createTime: { seconds: number; nanos: number };
}

const VERSION_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/;

/**
 * A local Secret Manager speaking real gRPC on 127.0.0.1, built from the protos the client
 * library ships, so the real `SecretManagerServiceClient` is exercised over the wire. It serves
 * `AccessSecretVersion` and `GetSecretVersion` for one project; every other method answers
 * UNIMPLEMENTED. Errors carry the codes and messages the real service sends.
 */
export class SecretManagerDouble {
  private readonly secrets = new Map<string, StoredVersion>();
  private readonly denied = new Set<string>();
  private readonly requested: string[] = [];
  private server: Server | undefined;

  constructor(readonly projectId = 'demo-vocoeng') {}

  /** The `name` of every AccessSecretVersion and GetSecretVersion request, in arrival order. */
  get calls(): readonly string[] {
    return this.requested;
  }

  /** Adds a new version of `name` (the new `latest`). */
  set(name: string, value: string | Uint8Array, options: SetOptions = {}): void {
    const data = Buffer.from(value);
    const right = crc32c(data);
    const sent = options.crc32c ?? right;
    const previous = this.secrets.get(name);
    this.secrets.set(name, {
      version: (previous?.version ?? 0) + 1,
      data,
      crc32c: sent === 'omit' ? undefined : sent === 'corrupt' ? (right ^ 0x1) >>> 0 : sent,
      createTime: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
    });
  }

  /** Makes every request for `name` fail with PERMISSION_DENIED, whether it exists or not. */
  deny(name: string): void {
    this.denied.add(name);
  }

  async start(): Promise<{ apiEndpoint: string; port: number }> {
    const server = new Server();
    server.addService(loadService(), {
      AccessSecretVersion: (call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>) =>
        this.answer(call.request.name, callback, (resource, stored) => ({
          name: resource,
          payload: { data: stored.data, ...(stored.crc32c === undefined ? {} : { dataCrc32c: String(stored.crc32c) }) },
        })),
      GetSecretVersion: (call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>) =>
        this.answer(call.request.name, callback, (resource, stored) => ({
          name: resource,
          createTime: stored.createTime,
          state: 'ENABLED',
          etag: `"${stored.version}"`,
        })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
    return { apiEndpoint: '127.0.0.1', port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private answer(name: string, callback: sendUnaryData<unknown>, respond: (resource: string, stored: StoredVersion) => unknown): void {
    this.requested.push(name);
    const match = VERSION_NAME.exec(name);
    if (!match) {
      callback({ code: status.INVALID_ARGUMENT, details: `Invalid resource field value in the request.` });
      return;
    }
    const [, project, secret, version] = match as unknown as [string, string, string, string];
    if (this.denied.has(secret) || project !== this.projectId) {
      callback({
        code: status.PERMISSION_DENIED,
        details: `Permission 'secretmanager.versions.access' denied for resource '${name}' (or it may not exist).`,
      });
      return;
    }
    const stored = this.secrets.get(secret);
    if (!stored) {
      callback({ code: status.NOT_FOUND, details: `Secret [projects/${project}/secrets/${secret}] not found or has no versions.` });
      return;
    }
    if (version !== 'latest' && version !== String(stored.version)) {
      callback({ code: status.NOT_FOUND, details: `Secret Version [${name}] not found.` });
      return;
    }
    callback(null, respond(`projects/${project}/secrets/${secret}/versions/${stored.version}`, stored));
  }
}

/** `google.cloud.secretmanager.v1.SecretManagerService`, from the protos shipped with the client. */
function loadService(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const clientMain = require.resolve('@google-cloud/secret-manager');
  const clientProtos = join(dirname(clientMain), '..', 'protos');
  // google/api, google/iam, google/protobuf and google/rpc come with google-gax, the client's own dependency.
  const gaxProtos = join(dirname(createRequire(clientMain).resolve('google-gax')), '..', 'protos');
  const definition = loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs: [clientProtos, gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = definition['google.cloud.secretmanager.v1.SecretManagerService'];
  if (!service) throw new Error('SecretManagerService not found in the protos shipped with @google-cloud/secret-manager');
  return service as ServiceDefinition;
}
