import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// Addresses a user-supplied callback URL must not reach: loopback, private, link-local (cloud
// metadata lives at 169.254.169.254), carrier-grade NAT, unspecified, multicast, ULA.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback, IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
// (2002::/16), which embed IPv4 addresses, then ULA, link-local, multicast.
for (const [network, prefix] of [
  ['::', 96], ['64:ff9b::', 96], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isForbiddenAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolve = (hostname: string) => Promise<string[]>;

export const resolveAll: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * True when every address the URL's host resolves to is public, or the host is explicitly allowed
 * by configuration (for local peers in development and tests).
 */
export async function isAllowedCallback(url: URL, allowedHosts: ReadonlySet<string>, resolve: Resolve = resolveAll): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowedHosts.has(host)) return true;
  const addresses = isIP(host) ? [host] : await resolve(host);
  return addresses.length > 0 && addresses.every((address) => !isForbiddenAddress(address));
}
