import type { AllowlistEntry } from './domains.ts';

/** `host:port` of a forward proxy, as a PAC `PROXY` directive takes it. */
const PROXY = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?:\d{1,5}$/i;

export function isProxyAddress(value: string): boolean {
  const port = Number(value.split(':').at(-1));
  return PROXY.test(value) && port >= 1 && port <= 65535;
}

/**
 * A proxy auto-config file: every allowlisted host (by its number on the domain list) goes DIRECT,
 * bypassing the proxy as Microsoft recommends for Microsoft 365 traffic; everything else goes to
 * `proxy` when given, else DIRECT as well.
 */
export function proxyPac(
  entries: readonly AllowlistEntry[],
  options: { source: string; proxy?: string },
): string {
  if (options.proxy !== undefined && !isProxyAddress(options.proxy)) {
    throw new Error(`"${options.proxy}" is not a proxy address (host:port)`);
  }
  const exact = entries.filter((e) => !e.wildcard);
  const wildcards = entries.filter((e) => e.wildcard);
  const lines = [
    `// Proxy auto-config for Trellis at ${options.source}`,
    '// Allowlisted hosts (numbers as on /api/v1/network/domains) bypass the proxy.',
    'function FindProxyForURL(url, host) {',
    '  host = host.toLowerCase();',
    ...exact.map((e) => `  if (host == ${JSON.stringify(e.host)}) return "DIRECT"; // ${e.id} ${e.service}`),
    ...wildcards.map(
      (e) =>
        `  if (dnsDomainIs(host, ${JSON.stringify(e.host.slice(1))})) return "DIRECT"; // ${e.id} ${e.service}`,
    ),
    `  return ${JSON.stringify(options.proxy ? `PROXY ${options.proxy}` : 'DIRECT')};`,
    '}',
    '',
  ];
  return lines.join('\n');
}
