import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { errors } from '../errors/index.ts';

/**
 * Addresses a webhook must not reach unless private networks are allowed: loopback, RFC 1918,
 * CGNAT, link-local (cloud metadata at 169.254.169.254), unique-local, multicast, reserved.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses reach the embedded IPv4 one.
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (embedded) return isPrivateAddress(embedded);
  const mappedHex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (mappedHex?.[1] && mappedHex[2]) {
    const hi = parseInt(mappedHex[1], 16);
    const lo = parseInt(mappedHex[2], 16);
    return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return PRIVATE.check(address, 'ipv6');
}

/** Raised when a receiver's address is refused; its message goes into the delivery log. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

/**
 * Checks a subscription URL when it is saved: HTTPS, no credentials, and no private IP literal
 * unless allowed. Host names are checked again at every connection (DNS may change).
 * @throws AppError validation_failed
 */
export function assertWebhookUrl(raw: string, allowPrivateNetworks: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.validation('The webhook URL is not a valid URL', { url: 'invalid' });
  }
  if (url.protocol !== 'https:')
    throw errors.validation('Webhook URLs must use HTTPS', { url: 'https only' });
  if (url.username || url.password) {
    throw errors.validation('Webhook URLs must not carry credentials', { url: 'credentials' });
  }
  if (raw.length > 2048) throw errors.validation('The webhook URL is too long', { url: 'at most 2048' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivateNetworks && (isIP(host) ? isPrivateAddress(host) : /(^|\.)localhost$/i.test(host))) {
    throw errors.validation('Webhook URLs must not point to a private or loopback address', {
      url: 'private network',
    });
  }
  return url;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup` for sockets that refuses private addresses: the check happens on the address
 * actually connected to, so DNS rebinding cannot slip past a check made earlier.
 */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const allowed = allowPrivateNetworks ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        return callback(
          Object.assign(new DestinationRefused(`${hostname} resolves to a private or loopback address`), {
            code: 'EPRIVATEADDRESS',
          }),
          [],
        );
      }
      if (options.all) return callback(null, allowed);
      const first = allowed[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
