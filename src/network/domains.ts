import type { Config } from '../config.ts';

/** Who opens the connection: people's browsers and Teams clients, or Trellis's servers. */
export type FlowDirection = 'browser' | 'server' | 'both' | 'inbound';

/** One host this deployment serves or calls, as a network team needs to know it. */
export interface AllowlistEntry {
  /** Stable number: the same on the domain list, the PAC file and the flow diagram. */
  id: number;
  host: string;
  port: number;
  protocol: 'https' | 'wss';
  direction: FlowDirection;
  /** Whose flow it is: the customer's users to Trellis, Trellis to a service, or the Teams client's own. */
  flow: 'customer-trellis' | 'trellis-service' | 'teams-client';
  service: string;
  purpose: string;
  /** `*.` hosts: every subdomain (the PAC file matches them as such). */
  wildcard: boolean;
}

/** A connection inside the deployment (never through the customer's proxy). */
export interface InternalFlow {
  id: string;
  from: string;
  to: string;
  protocol: string;
  purpose: string;
}

interface Candidate {
  url: string;
  direction: FlowDirection;
  flow: AllowlistEntry['flow'];
  service: string;
  purpose: string;
}

function endpoint(url: string): { host: string; port: number; protocol: 'https' | 'wss' } {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'wss:' ? 'wss' : 'https';
  return { host: parsed.hostname.toLowerCase(), port: Number(parsed.port || 443), protocol };
}

/** `BlobEndpoint=` or the account name of an Azure Storage connection string. */
function blobEndpoint(connectionString: string): string | undefined {
  const parts = new Map(
    connectionString.split(';').flatMap((kv) => {
      const i = kv.indexOf('=');
      return i > 0 ? [[kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()] as const] : [];
    }),
  );
  const explicit = parts.get('blobendpoint');
  if (explicit) return explicit;
  const account = parts.get('accountname');
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  return account ? `https://${account}.blob.${suffix}` : undefined;
}

function insightsEndpoints(connectionString: string): string[] {
  const out: string[] = [];
  for (const kv of connectionString.split(';')) {
    const [key, value] = kv.split('=', 2).map((s) => s?.trim() ?? '');
    if (/^(IngestionEndpoint|LiveEndpoint)$/i.test(key ?? '') && value) out.push(value);
  }
  return out.length > 0 ? out : ['https://dc.services.visualstudio.com/'];
}

/**
 * The hosts this deployment really serves and calls, derived from its configuration: the app, Entra ID
 * and Microsoft Graph, Bot Framework, the Teams client's own hosts the tabs live in, blob storage, Key
 * Vault, telemetry ingestion and the help center. A host used for several purposes appears once.
 */
export function allowlist(config: Config): AllowlistEntry[] {
  const m365 = config.m365;
  const candidates: Candidate[] = [
    {
      url: config.publicUrl,
      direction: 'inbound',
      flow: 'customer-trellis',
      service: 'Trellis',
      purpose:
        'Tabs, REST API and sign-in callback (browsers, Teams clients); bot messages from Bot Framework',
    },
    {
      url: m365.authorityHost,
      direction: 'both',
      flow: 'trellis-service',
      service: 'Microsoft Entra ID',
      purpose: 'Sign-in and single sign-on (browsers); app tokens for Graph and the Bot Connector (servers)',
    },
    {
      url: m365.graphBaseUrl,
      direction: 'server',
      flow: 'trellis-service',
      service: 'Microsoft Graph',
      purpose: 'Directory look-ups and provisioning of groups, teams, channels, files and plans',
    },
    {
      url: m365.botOpenIdMetadataUrl,
      direction: 'server',
      flow: 'trellis-service',
      service: 'Bot Framework',
      purpose: 'Keys that sign the messages Teams delivers to the bot',
    },
    {
      url: m365.botServiceUrl,
      direction: 'server',
      flow: 'trellis-service',
      service: 'Bot Connector',
      purpose: 'Messages and cards the bot sends into Teams',
    },
    {
      url: 'https://teams.microsoft.com',
      direction: 'browser',
      flow: 'teams-client',
      service: 'Microsoft Teams',
      purpose: 'The Teams client that hosts the Trellis tabs, bot and message extensions',
    },
    {
      url: 'https://teams.cloud.microsoft',
      direction: 'browser',
      flow: 'teams-client',
      service: 'Microsoft Teams',
      purpose: 'The Teams client on its new domain (*.cloud.microsoft)',
    },
    {
      url: 'https://res.cdn.office.net',
      direction: 'browser',
      flow: 'teams-client',
      service: 'Microsoft 365 CDN',
      purpose: "The list of Teams hosts the tabs' Teams JS library accepts messages from",
    },
  ];
  if (config.blob.backend === 'azure' && config.blob.azureConnectionString) {
    const blob = blobEndpoint(config.blob.azureConnectionString);
    if (blob) {
      candidates.push({
        url: blob,
        direction: 'server',
        flow: 'trellis-service',
        service: 'Azure Blob Storage',
        purpose: 'Template assets and captured files',
      });
    }
  }
  if (config.keys.provider === 'keyvault' && config.keys.keyVaultUrl) {
    candidates.push({
      url: config.keys.keyVaultUrl,
      direction: 'server',
      flow: 'trellis-service',
      service: 'Azure Key Vault',
      purpose: 'Wrapping and unwrapping the data keys of encrypted secrets',
    });
    if (config.azure.authorityHost) {
      candidates.push({
        url: config.azure.authorityHost,
        direction: 'server',
        flow: 'trellis-service',
        service: 'Microsoft Entra ID',
        purpose: 'Tokens for Key Vault',
      });
    }
  }
  if (config.network.appInsightsConnectionString) {
    for (const url of insightsEndpoints(config.network.appInsightsConnectionString)) {
      candidates.push({
        url,
        direction: 'server',
        flow: 'trellis-service',
        service: 'Azure Monitor',
        purpose: 'Telemetry ingestion (traces, metrics, logs)',
      });
    }
  }
  if (config.network.otlpEndpoint?.startsWith('https:')) {
    candidates.push({
      url: config.network.otlpEndpoint,
      direction: 'server',
      flow: 'trellis-service',
      service: 'OpenTelemetry collector',
      purpose: 'Telemetry export (OTLP/HTTP)',
    });
  }
  if (config.network.helpCenterUrl) {
    candidates.push({
      url: config.network.helpCenterUrl,
      direction: 'browser',
      flow: 'customer-trellis',
      service: 'Trellis help center',
      purpose: 'User and admin documentation linked from the app',
    });
  }

  const byHost = new Map<string, AllowlistEntry>();
  for (const candidate of candidates) {
    const { host, port, protocol } = endpoint(candidate.url);
    const key = `${host}:${port}`;
    const existing = byHost.get(key);
    if (existing) {
      if (!existing.purpose.includes(candidate.purpose)) existing.purpose += `; ${candidate.purpose}`;
      if (existing.direction !== candidate.direction) existing.direction = 'both';
      continue;
    }
    byHost.set(key, {
      id: byHost.size + 1,
      host,
      port,
      protocol,
      direction: candidate.direction,
      flow: candidate.flow,
      service: candidate.service,
      purpose: candidate.purpose,
      wildcard: host.startsWith('*.'),
    });
  }
  return [...byHost.values()];
}

/** Connections inside the deployment: between instances and their own infrastructure. */
export function internalFlows(config: Config): InternalFlow[] {
  const flows: InternalFlow[] = [];
  const db = config.database.url ? new URL(config.database.url) : undefined;
  flows.push(
    db
      ? {
          id: 'A',
          from: 'Trellis',
          to: `PostgreSQL ${db.hostname}:${db.port || 5432}`,
          protocol: 'PostgreSQL (TLS when the server offers it)',
          purpose: 'All data, row-level security per tenant; durable jobs and events',
        }
      : {
          id: 'A',
          from: 'Trellis',
          to: 'embedded PostgreSQL (PGlite, in process)',
          protocol: 'in process',
          purpose: 'All data; durable jobs and events',
        },
  );
  if (config.redisUrl) {
    const redis = new URL(config.redisUrl);
    flows.push({
      id: 'B',
      from: 'Trellis',
      to: `Redis ${redis.hostname}:${redis.port || 6379}`,
      protocol: redis.protocol === 'rediss:' ? 'RESP over TLS' : 'RESP',
      purpose: 'Shared cache and rate-limit counters across instances',
    });
  }
  if (config.blob.backend === 'local') {
    flows.push({
      id: 'C',
      from: 'Trellis',
      to: 'local blob folder',
      protocol: 'file system',
      purpose: 'Template assets',
    });
  }
  if (config.keys.provider === 'local') {
    flows.push({
      id: 'D',
      from: 'Trellis',
      to: 'local key file',
      protocol: 'file system',
      purpose: 'Key-encryption key',
    });
  }
  if (config.tls.mode === 'proxy') {
    flows.push({
      id: 'E',
      from: 'TLS-terminating front',
      to: `Trellis ${config.host}:${config.port}`,
      protocol: 'HTTP on loopback',
      purpose: 'Requests after TLS termination (X-Forwarded-* trusted from TRUSTED_PROXIES only)',
    });
  }
  return flows;
}
