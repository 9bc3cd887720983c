import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { buildConnector } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCallback, pinnedLookup, type PinnedCallback, type Resolve } from '../../../src/adapters/webhook/address-guard.js';
import { WebhookReplyChannel, type CallbackConnector } from '../../../src/adapters/webhook/webhook-reply-channel.js';
import { CallbackReceiver } from '../../support/callback-receiver.js';
import { aWebhookSecret } from '../../support/signing.js';
import { sendError } from '../../support/send-error.js';
import { anApiMessage } from '../../support/builders.js';

// DNS rebinding: the guard checks one DNS answer, the connection must use exactly that answer.
// Every connection in this file goes to 127.0.0.1: "public" answers use TEST-NET-1 (192.0.2.1) and
// never reach a socket, because the connector spy refuses anything that is not loopback.

const NONE = new Set<string>();
const PUBLIC = '192.0.2.1';
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function aReceiver(): Promise<CallbackReceiver> {
  const receiver = new CallbackReceiver();
  await receiver.start();
  stops.push(() => receiver.stop());
  return receiver;
}

const portOf = (receiver: CallbackReceiver) => new URL(receiver.baseUrl).port;

/** A resolver that gives its answers in turn (the last one repeats) and counts the questions. */
function resolverAnswering(...answers: string[][]): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return answers[Math.min(asked.length - 1, answers.length - 1)]!;
  };
  return Object.assign(resolve, { asked });
}

function failingResolver(code: string): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<string[]> => {
    asked.push(hostname);
    throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code });
  };
  return Object.assign(resolve, { asked });
}

const isLoopback = (address: string) => /^127\./.test(address) || address === '::1';

/** Asks a lookup the way `net.connect` does (`all: true`, as with autoSelectFamily). */
function lookupAll(lookup: LookupFunction, hostname: string, options: { family?: number } = {}): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true, ...options }, (error, addresses) => (error ? reject(error) : resolve(addresses as LookupAddress[])));
  });
}

function lookupOne(lookup: LookupFunction, hostname: string): Promise<{ address: string; family: number | undefined }> {
  return new Promise((resolve, reject) => {
    lookup(hostname, {}, (error, address, family) => (error ? reject(error) : resolve({ address: address as string, family })));
  });
}

interface ConnectAttempt {
  hostname: string;
  protocol: string;
  /** Where the lookup the connection would use sends the socket. */
  addresses: string[];
}

/**
 * Wraps undici's real connector: every attempt is recorded with the addresses the lookup would
 * connect to; a loopback-only attempt really connects, anything else fails like a refused
 * connection without opening a socket, so no packet ever leaves the machine. `lookupInstead`
 * replaces the channel's lookup, to show what an unpinned connection would do.
 */
function aConnectorSpy(options: { lookupInstead?: LookupFunction } = {}): CallbackConnector & { attempts: ConnectAttempt[] } {
  const attempts: ConnectAttempt[] = [];
  const factory: CallbackConnector = ({ lookup: pinned, timeoutMs }) => {
    const lookup = options.lookupInstead ?? pinned;
    const real = buildConnector({ lookup, timeout: timeoutMs, allowH2: false });
    return (connectOptions, callback) => {
      const literal = isIP(connectOptions.hostname) !== 0;
      const where = literal ? Promise.resolve([connectOptions.hostname]) : lookupAll(lookup, connectOptions.hostname).then((found) => found.map((a) => a.address), () => []);
      void where.then((addresses) => {
        attempts.push({ hostname: connectOptions.hostname, protocol: connectOptions.protocol, addresses });
        if (addresses.length > 0 && addresses.every(isLoopback)) real(connectOptions, callback);
        else callback(Object.assign(new Error(`connect ECONNREFUSED ${addresses.join(',')} (test spy: no connection off the machine)`), { code: 'ECONNREFUSED' }), null);
      });
    };
  };
  return Object.assign(factory, { attempts });
}

/** What an unpinned connection does: resolve the name again at connect time. */
function reResolvingLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    void resolve(hostname).then((addresses) => {
      const answers = addresses.map((address) => ({ address, family: isIP(address) }));
      if (options.all) callback(null, answers);
      else callback(null, answers[0]!.address, answers[0]!.family);
    });
  };
}


describe('pinnedLookup', () => {
  const pinned: PinnedCallback = { host: 'hooks.client.example', addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], allowedHost: false };

  it('answers the pinned host with its checked addresses when asked for all of them', async () => {
    expect(await lookupAll(pinnedLookup(pinned), 'hooks.client.example')).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  it('answers the first checked address when asked for one', async () => {
    expect(await lookupOne(pinnedLookup(pinned), 'hooks.client.example')).toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('answers only the addresses of the family asked for', async () => {
    expect(await lookupAll(pinnedLookup(pinned), 'hooks.client.example', { family: 6 })).toEqual([
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  it('fails with ENOTFOUND for any other hostname instead of asking DNS', async () => {
    await expect(lookupAll(pinnedLookup(pinned), 'localhost')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(lookupOne(pinnedLookup(pinned), 'other.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('never answers a forbidden address for a host that is not allowed, and fails when none is left', async () => {
    const mixed = pinnedLookup({ host: 'rebind.attacker.example', addresses: ['127.0.0.1', PUBLIC, '169.254.169.254'], allowedHost: false });
    const onlyLoopback = pinnedLookup({ host: 'rebind.attacker.example', addresses: ['127.0.0.1', '::1'], allowedHost: false });

    expect(await lookupAll(mixed, 'rebind.attacker.example')).toEqual([{ address: PUBLIC, family: 4 }]);
    await expect(lookupAll(onlyLoopback, 'rebind.attacker.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers loopback addresses for a host that configuration allows', async () => {
    expect(await lookupAll(pinnedLookup({ host: 'localhost', addresses: ['127.0.0.1', '::1'], allowedHost: true }), 'localhost')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
  });
});

describe('checkCallback', () => {
  it('resolves the host once and pins the public addresses it answered', async () => {
    const resolve = resolverAnswering([PUBLIC, '2001:db8::1']);

    expect(await checkCallback(new URL('https://hooks.client.example/reply'), NONE, resolve)).toEqual({
      ok: true,
      pinned: { host: 'hooks.client.example', addresses: [PUBLIC, '2001:db8::1'], allowedHost: false },
    });
    expect(resolve.asked).toEqual(['hooks.client.example']);
  });

  it('pins an IP literal without resolving it', async () => {
    const resolve = failingResolver('ENOTFOUND');

    expect(await checkCallback(new URL('http://[2001:db8::7]:8443/hook'), NONE, resolve)).toEqual({
      ok: true,
      pinned: { host: '2001:db8::7', addresses: ['2001:db8::7'], allowedHost: false },
    });
    expect(resolve.asked).toEqual([]);
  });

  it('refuses a host when one of its addresses is forbidden, even next to a public one', async () => {
    expect(await checkCallback(new URL('https://rebind.attacker.example/'), NONE, resolverAnswering([PUBLIC, '127.0.0.1']))).toMatchObject({
      ok: false,
      reason: 'forbidden',
    });
  });

  it('resolves and pins a host that configuration allows without checking its addresses', async () => {
    const resolve = resolverAnswering(['127.0.0.1']);

    expect(await checkCallback(new URL('http://callback.test:8080/'), new Set(['callback.test']), resolve)).toEqual({
      ok: true,
      pinned: { host: 'callback.test', addresses: ['127.0.0.1'], allowedHost: true },
    });
  });

  it.each([
    ['a name that does not exist', 'ENOTFOUND', 'unknown-host'],
    ['a name without addresses', 'ENODATA', 'unknown-host'],
    ['a temporary DNS failure', 'EAI_AGAIN', 'dns-unavailable'],
    ['a DNS timeout', 'ETIMEOUT', 'dns-unavailable'],
  ])('tells %s (%s) apart as %s', async (_, code, reason) => {
    expect(await checkCallback(new URL('https://hooks.client.example/'), NONE, failingResolver(code))).toMatchObject({ ok: false, reason });
  });

  it('calls an empty answer an unknown host', async () => {
    expect(await checkCallback(new URL('https://hooks.client.example/'), NONE, resolverAnswering([]))).toMatchObject({ ok: false, reason: 'unknown-host' });
  });
});

describe('WebhookReplyChannel connection pinning', () => {
  it('sends nothing to a loopback receiver and connects only to the checked address when DNS answers a public address first and 127.0.0.1 after (rebinding)', async () => {
    const receiver = await aReceiver();
    const resolve = resolverAnswering([PUBLIC], ['127.0.0.1']);
    const connector = aConnectorSpy();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: NONE, resolve, connector });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`http://rebind.attacker.example:${portOf(receiver)}/replies`), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: true, reason: 'callback_unreachable' });
    expect(resolve.asked).toEqual(['rebind.attacker.example']);
    expect(connector.attempts).toEqual([{ hostname: 'rebind.attacker.example', protocol: 'http:', addresses: [PUBLIC] }]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('would reach the loopback receiver if the connection resolved the name again (control for the rebinding test)', async () => {
    const receiver = await aReceiver();
    const resolve = resolverAnswering([PUBLIC], ['127.0.0.1']);
    const connector = aConnectorSpy({ lookupInstead: reResolvingLookup(resolve) });
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: NONE, resolve, connector });

    await channel.send({ inReplyTo: anApiMessage(`http://rebind.attacker.example:${portOf(receiver)}/replies`), text: 'hi', part: 0 });

    expect(connector.attempts[0]!.addresses).toEqual(['127.0.0.1']);
    expect(receiver.requests).toHaveLength(1);
  });

  it('connects to the address it checked, not a later DNS answer, and keeps the hostname in the Host header', async () => {
    const receiver = await aReceiver();
    // Nothing listens on 127.0.0.2: a second resolution would make the send fail.
    const resolve = resolverAnswering(['127.0.0.1'], ['127.0.0.2']);
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: new Set(['callback.test']), resolve });

    const result = await channel.send({ inReplyTo: anApiMessage(`http://callback.test:${portOf(receiver)}/replies`), text: 'hi', part: 0 });

    expect(result).toMatchObject({ kind: 'sent' });
    expect(resolve.asked).toEqual(['callback.test']);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers.host).toBe(`callback.test:${portOf(receiver)}`);
  });

  it('opens the TLS connection to the checked address with the original hostname as SNI', async () => {
    const seen: string[] = [];
    const server: TlsServer = createTlsServer({
      // No certificate: record the server name the client asked for, then end the handshake.
      SNICallback: (servername, callback) => {
        seen.push(servername);
        callback(new Error('test server has no certificate'), undefined);
      },
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const resolve = resolverAnswering(['127.0.0.1'], ['127.0.0.2']);
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: new Set(['callback.test']), resolve });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`https://callback.test:${port}/replies`), text: 'hi', part: 0 }));

    expect(seen).toEqual(['callback.test']);
    expect(resolve.asked).toEqual(['callback.test']);
    expect(error).toMatchObject({ retryable: true, reason: 'callback_unreachable' });
  });

  it('refuses with callback-url-forbidden and opens no connection when the name answers a public and a loopback address', async () => {
    const receiver = await aReceiver();
    const connector = aConnectorSpy();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: NONE, resolve: resolverAnswering([PUBLIC, '127.0.0.1']), connector });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`http://rebind.attacker.example:${portOf(receiver)}/replies`), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'callback_url_forbidden' });
    expect(connector.attempts).toEqual([]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('rejects with a retryable callback-unreachable error and opens no connection when DNS fails for now', async () => {
    const connector = aConnectorSpy();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: NONE, resolve: failingResolver('EAI_AGAIN'), connector });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage('https://hooks.client.example/replies'), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: true, reason: 'callback_unreachable' });
    expect(connector.attempts).toEqual([]);
  });

  it('rejects with a non-retryable callback-url-forbidden error and opens no connection when the name does not exist', async () => {
    const connector = aConnectorSpy();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: NONE, resolve: failingResolver('ENOTFOUND'), connector });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage('https://nowhere.invalid/replies'), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'callback_url_forbidden' });
    expect(connector.attempts).toEqual([]);
  });
});
