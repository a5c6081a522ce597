import { BlockList, isIPv4 } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { errors } from '../errors/index.ts';

/**
 * Health probes and the metrics scrape: load balancers, orchestrators and Prometheus call them directly,
 * not through the front (`/metrics` still needs its METRICS_TOKEN).
 */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/livez', '/metrics']);

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** The socket peer, with IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) read as IPv4. */
function peerOf(address: string | undefined): { address: string; type: 'ipv4' | 'ipv6' } | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped?.[1] ?? address;
  return { address: plain, type: isIPv4(plain) ? 'ipv4' : 'ipv6' };
}

/**
 * The single entry point: with `FRONT_DOOR_IDS`, a request must carry one of the front's ids in
 * `X-Azure-FDID`; with `ALLOWED_SOURCES`, it must come (at the socket: never from a forwarded header)
 * from one of those ranges. Health probes and metrics scrapes from `HEALTH_PROBE_SOURCES` pass. Refusals are a 403 problem
 * that says nothing about the deployment. Registered first, so nothing else runs for them.
 */
export function installEntryLock(app: FastifyInstance, config: Config): void {
  const { frontDoorIds, allowedSources, healthProbeSources } = config.network;
  if (frontDoorIds.length === 0 && allowedSources.length === 0) return;
  const sources = blockListOf(allowedSources);
  const probes = blockListOf(healthProbeSources);
  const ids = new Set(frontDoorIds);
  app.addHook('onRequest', async (request) => {
    const peer = peerOf(request.socket.remoteAddress);
    const path = request.url.split('?')[0] ?? '';
    if (peer && PROBE_PATHS.has(path) && probes.check(peer.address, peer.type)) return;
    if (allowedSources.length > 0 && (!peer || !sources.check(peer.address, peer.type))) {
      throw errors.forbidden('Requests must come through this deployment’s front door');
    }
    if (ids.size > 0) {
      const header = request.headers['x-azure-fdid'];
      const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
      if (!value || !ids.has(value))
        throw errors.forbidden('Requests must come through this deployment’s front door');
    }
  });
}
