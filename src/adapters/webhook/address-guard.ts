import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Addresses a user-supplied callback URL must not reach: loopback, private, link-local (cloud
// metadata lives at 169.254.169.254), carrier-grade NAT, benchmarking (198.18.0.0/15, often
// routed to lab or internal networks), unspecified, multicast, ULA.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback, IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d,
// SIIT), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48) and 6to4 (2002::/16), which embed
// IPv4 addresses a translator may turn into internal ones, then ULA, link-local, multicast.
for (const [network, prefix] of [
  ['::', 96], ['::ffff:0:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
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

/** The URL's host as a connection sees it: IPv6 literals without their brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * True when every address the URL's host resolves to is public, or the host is explicitly allowed
 * by configuration (for local peers in development and tests).
 */
export async function isAllowedCallback(url: URL, allowedHosts: ReadonlySet<string>, resolve: Resolve = resolveAll): Promise<boolean> {
  const host = hostOf(url);
  if (allowedHosts.has(host)) return true;
  const addresses = isIP(host) ? [host] : await resolve(host);
  return addresses.length > 0 && addresses.every((address) => !isForbiddenAddress(address));
}

/** Where a callback connection may go: the host and the addresses checked for it, resolved once. */
export interface PinnedCallback {
  host: string;
  addresses: readonly string[];
  /** True when configuration allows the host: its addresses skip the private-address check. */
  allowedHost: boolean;
}

export type CallbackCheck =
  | { ok: true; pinned: PinnedCallback }
  /**
   * `forbidden`: an address is loopback, private, link-local…; `unknown-host`: the name does not
   * exist or has no address (both permanent); `dns-unavailable`: resolution failed for a reason
   * that may pass (timeout, SERVFAIL), so a retry may succeed.
   */
  | { ok: false; reason: 'forbidden' | 'unknown-host' | 'dns-unavailable'; cause?: unknown };

const PERMANENT_DNS_ERRORS = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA', 'NXDOMAIN', 'ENONAME']);

/**
 * Resolves the callback's host exactly once and decides whether a connection may go there: every
 * address must be public unless configuration allows the host. The connection must then use only
 * these addresses (`pinnedLookup`), never a second DNS answer, which could differ (DNS rebinding).
 */
export async function checkCallback(url: URL, allowedHosts: ReadonlySet<string>, resolve: Resolve = resolveAll): Promise<CallbackCheck> {
  const host = hostOf(url);
  const allowedHost = allowedHosts.has(host);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch (cause) {
      const code = (cause as { code?: unknown } | undefined)?.code;
      return { ok: false, reason: typeof code === 'string' && PERMANENT_DNS_ERRORS.has(code) ? 'unknown-host' : 'dns-unavailable', cause };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: 'unknown-host' };
  if (!allowedHost && addresses.some(isForbiddenAddress)) return { ok: false, reason: 'forbidden' };
  return { ok: true, pinned: { host, addresses: [...addresses], allowedHost } };
}

/**
 * A `lookup` for `net.connect`/`tls.connect` that never asks DNS: it answers the pinned host with
 * its checked addresses (filtered again, so only guard-passing ones can be returned unless the
 * host is allowed) and fails for any other name or when nothing is left.
 */
export function pinnedLookup(pinned: PinnedCallback): LookupFunction {
  const permitted = pinned.addresses.filter((address) => pinned.allowedHost || !isForbiddenAddress(address));
  return (hostname, options, callback) => {
    const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const answers: LookupAddress[] =
      hostname === pinned.host
        ? permitted.map((address) => ({ address, family: isIP(address) })).filter((answer) => wanted === 0 || answer.family === wanted)
        : [];
    if (answers.length === 0) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (no checked address for this connection)`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname,
      });
      callback(error, options.all ? [] : '', 0);
      return;
    }
    if (options.all) callback(null, answers);
    else callback(null, answers[0]!.address, answers[0]!.family);
  };
}
