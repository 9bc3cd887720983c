import { describe, expect, it } from 'vitest';
import { isAllowedCallback, isForbiddenAddress, type Resolve } from '../../../src/adapters/webhook/address-guard.js';

const NONE = new Set<string>();

/** A resolver answering from a table; an unknown name fails like a DNS NXDOMAIN. */
function resolverOf(table: Record<string, string[]>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses;
  };
  return Object.assign(resolve, { asked });
}

const refuseToResolve: Resolve = async (hostname) => {
  throw new Error(`must not resolve ${hostname}`);
};

describe('isForbiddenAddress', () => {
  it.each([
    ['IPv4 loopback', '127.0.0.1'],
    ['the end of 127/8', '127.255.255.254'],
    ['10/8', '10.0.0.1'],
    ['the end of 10/8', '10.255.255.255'],
    ['172.16/12 start', '172.16.0.1'],
    ['172.16/12 end', '172.31.255.255'],
    ['192.168/16', '192.168.1.20'],
    ['the cloud metadata server', '169.254.169.254'],
    ['link-local', '169.254.1.1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['unspecified IPv4', '0.0.0.0'],
    ['multicast', '224.0.0.251'],
    ['IPv6 loopback', '::1'],
    ['unspecified IPv6', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 unique local fc00::/7 (fc)', 'fc00::1'],
    ['IPv6 unique local fc00::/7 (fd)', 'fd12:3456:789a::1'],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped metadata server, dotted uppercase', '::FFFF:169.254.169.254'],
    ['IPv4-mapped 10/8, hex', '::ffff:a00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['the metadata server behind NAT64', '64:ff9b::a9fe:a9fe'],
    ['loopback inside 6to4', '2002:7f00:1::'],
    ['IPv4-translated (SIIT) loopback, ::ffff:0:0:0/96', '::ffff:0:7f00:1'],
    ['IPv4-translated metadata server, dotted', '::ffff:0:169.254.169.254'],
    ['IPv4-translated public address (never a destination on the Internet)', '::ffff:0:808:808'],
    ['the metadata server behind NAT64 with a private address', '64:ff9b::10.0.0.1'],
    ['local-use NAT64 64:ff9b:1::/48', '64:ff9b:1::a9fe:a9fe'],
    ['the end of local-use NAT64', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff'],
    ['benchmarking 198.18/15 start', '198.18.0.1'],
    ['benchmarking 198.18/15 end', '198.19.255.255'],
    ['IPv4-mapped benchmarking, dotted', '::ffff:198.18.0.1'],
    ['not an address at all', 'example.com'],
  ])('forbids %s (%s)', (_, address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    ['a public IPv4 address', '8.8.8.8'],
    ['just below 172.16/12', '172.15.255.255'],
    ['just above 172.16/12', '172.32.0.1'],
    ['just outside 192.168/16', '192.169.0.1'],
    ['a public IPv6 address', '2001:4860:4860::8888'],
    ['an IPv4-mapped public address', '::ffff:8.8.8.8'],
    ['an IPv4-mapped public address in hex', '::ffff:808:808'],
    ['just below 198.18/15', '198.17.255.255'],
    ['just above 198.18/15', '198.20.0.1'],
  ])('allows %s (%s)', (_, address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});

describe('isAllowedCallback', () => {
  it('allows a public IP literal without resolving it', async () => {
    expect(await isAllowedCallback(new URL('https://93.184.215.14/hook'), NONE, refuseToResolve)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:8080/hook'],
    ['http://169.254.169.254/computeMetadata/v1/'],
    ['http://10.1.2.3/hook'],
    ['http://[::1]:9000/hook'],
    ['http://[fe80::1]/hook'],
    ['http://[fc00::5]/hook'],
    ['http://[::ffff:127.0.0.1]/hook'],
    ['http://[::ffff:169.254.169.254]/hook'],
    ['http://[::ffff:0:7f00:1]/hook'],
    ['http://[64:ff9b:1::a00:1]/hook'],
    ['http://198.18.0.1/hook'],
    // WHATWG URL parsing turns these shorthand spellings into 127.0.0.1 before the guard sees them.
    ['http://2130706433/hook'],
    ['http://0x7f.1/hook'],
    ['http://127.1/hook'],
  ])('refuses %s without resolving it', async (url) => {
    expect(await isAllowedCallback(new URL(url), NONE, refuseToResolve)).toBe(false);
  });

  it('allows a hostname when every address it resolves to is public', async () => {
    const resolve = resolverOf({ 'hooks.client.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });

    expect(await isAllowedCallback(new URL('https://hooks.client.example/reply'), NONE, resolve)).toBe(true);
    expect(resolve.asked).toEqual(['hooks.client.example']);
  });

  it.each([
    ['a private address', ['192.168.0.10']],
    ['loopback', ['127.0.0.1']],
    ['the metadata server', ['169.254.169.254']],
    ['a public and a private address', ['93.184.215.14', '10.0.0.7']],
    ['an IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['nothing', []],
  ])('refuses a hostname that resolves to %s', async (_, addresses) => {
    const resolve = resolverOf({ 'rebind.attacker.example': addresses });

    expect(await isAllowedCallback(new URL('https://rebind.attacker.example/hook'), NONE, resolve)).toBe(false);
  });

  it('rejects when the hostname does not resolve', async () => {
    await expect(isAllowedCallback(new URL('https://nowhere.invalid/'), NONE, resolverOf({}))).rejects.toThrow(/ENOTFOUND/);
  });

  it('allows a configured host without resolving it even when it is local', async () => {
    const allowed = new Set(['localhost', '127.0.0.1', '::1']);

    expect(await isAllowedCallback(new URL('http://localhost:3000/hook'), allowed, refuseToResolve)).toBe(true);
    expect(await isAllowedCallback(new URL('http://127.0.0.1:3000/hook'), allowed, refuseToResolve)).toBe(true);
    expect(await isAllowedCallback(new URL('http://[::1]:3000/hook'), allowed, refuseToResolve)).toBe(true);
  });

  it('refuses localhost when it is not configured as allowed', async () => {
    const resolve = resolverOf({ localhost: ['127.0.0.1', '::1'] });

    expect(await isAllowedCallback(new URL('http://localhost:3000/hook'), new Set(['other.host']), resolve)).toBe(false);
  });
});
