import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { errors } from './errors/index.ts';

export type TlsMode = 'local-ca' | 'files' | 'proxy';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything Trellis reads from its environment, parsed once, validated and frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Where users reach this deployment (no trailing slash). */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly tls: {
    readonly mode: TlsMode;
    readonly certFile: string | undefined;
    readonly keyFile: string | undefined;
  };
  /** Proxies whose X-Forwarded-* headers are believed (IPs or CIDRs); empty outside proxy mode. */
  readonly trustedProxies: readonly string[];
  readonly httpRedirectPort: number | undefined;
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly timeouts: {
    readonly headersMs: number;
    readonly requestMs: number;
    readonly keepAliveMs: number;
    readonly shutdownDrainMs: number;
    readonly shutdownGraceMs: number;
  };
  readonly rateLimitPerMinute: number;
  /** Mean event-loop delay past which requests are shed with 503. */
  readonly loadShedEventLoopDelayMs: number;
  readonly database: {
    /** Undefined selects the embedded PGlite database under the data folder. */
    readonly url: string | undefined;
    /** Optional separate login for the application (must not bypass RLS); else SET ROLE on the owner's login. */
    readonly appUrl: string | undefined;
    readonly poolMax: number;
  };
  readonly redisUrl: string | undefined;
  readonly blob: {
    readonly backend: 'local' | 'azure';
    readonly localDir: string;
    readonly azureConnectionString: string | undefined;
    readonly container: string;
  };
  readonly keys: {
    readonly provider: 'local' | 'keyvault';
    readonly keyFile: string;
    readonly keyVaultUrl: string | undefined;
    readonly keyVaultKeyName: string;
  };
  readonly azure: {
    readonly tenantId: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly authorityHost: string | undefined;
  };
  /** Microsoft 365: a real tenant, or the local sandbox started alongside Trellis. */
  readonly m365: M365Config;
  readonly webhooks: WebhookConfig;
  readonly provisioning: ProvisioningConfig;
  /** The Teams app package (manifest) Trellis generates for tenant admins to upload. */
  readonly teams: TeamsConfig;
  readonly network: NetworkConfig;
  readonly telemetry: TelemetryConfig;
  readonly logLevel: LogLevel;
}

/** The single entry point, published security contact and the hosts Trellis calls besides Microsoft 365. */
export interface NetworkConfig {
  /** Azure Front Door profile ids (`X-Azure-FDID`); when set, every request must carry one of them. */
  readonly frontDoorIds: readonly string[];
  /** IPs/CIDRs allowed to connect at all (the front's egress ranges); empty: anyone. */
  readonly allowedSources: readonly string[];
  /** IPs/CIDRs whose health probes (`/livez`, `/readyz`, `/healthz`) pass the entry lock. */
  readonly healthProbeSources: readonly string[];
  /** `Contact:` of `/.well-known/security.txt` (mailto: or https:). */
  readonly securityContact: string;
  /** Where the user and admin documentation lives, when it is not served by Trellis. */
  readonly helpCenterUrl: string | undefined;
  /** Azure Monitor / Application Insights connection string (its ingestion endpoint is allowlisted). */
  readonly appInsightsConnectionString: string | undefined;
  /** OTLP/HTTP collector (traces and metrics). */
  readonly otlpEndpoint: string | undefined;
}

/** Traces and metrics besides the exporters' endpoints (see `NetworkConfig`). */
export interface TelemetryConfig {
  /** Bearer token a Prometheus scraper presents to `/metrics`; undefined: no `/metrics` (404). */
  readonly metricsToken: string | undefined;
  /** Headers sent to the OTLP collector (its API key …). */
  readonly otlpHeaders: Readonly<Record<string, string>>;
  /** Share of new traces recorded, 0 to 1; a caller's sampling decision is followed. */
  readonly traceSampleRatio: number;
}

/** The Teams app package: its id, name and the extra domains its tabs may load. */
export interface TeamsConfig {
  /** The manifest's app id; undefined means the Entra client id (`M365_CLIENT_ID`, or the sandbox's). */
  readonly appId: string | undefined;
  /** Short name shown in Teams (at most 30 characters, the manifest's limit). */
  readonly appName: string;
  /** Host names added to the manifest's `validDomains`, besides the public URL's host; lowercase. */
  readonly validDomains: readonly string[];
}

/** The provisioning engine's workers. */
export interface ProvisioningConfig {
  /** Runs one worker process executes at once. */
  readonly concurrency: number;
  /** A worker renews its lease on a run this often / 3; a lease older than this means the worker died. */
  readonly leaseSeconds: number;
  /** How often the cluster leader looks for runs whose worker died; also the leader election's retry. */
  readonly recoverySeconds: number;
  /** A run hands its worker back after this long and continues in a new job (fair share between runs). */
  readonly sliceSeconds: number;
  /** Graph requests in flight per Microsoft 365 tenant at most; the adaptive limit stays below it. */
  readonly graphMaxConcurrency: number;
}

/** Outbound webhook deliveries. */
export interface WebhookConfig {
  /** Seconds to wait before each retry; its length is the number of retries after the first attempt. */
  readonly retrySchedule: readonly number[];
  /** Allow receivers on loopback, private, link-local, ULA and CGNAT addresses (tests, on-premises). */
  readonly allowPrivateNetworks: boolean;
  /** Extra CA (PEM file) trusted for receivers, besides the system store. */
  readonly caFile: string | undefined;
  /** A subscription whose deliveries fail this many times in a row (after all retries) is disabled. */
  readonly disableAfterFailures: number;
}

export interface M365Config {
  /** `sandbox` when no tenant is configured: the embedded demo starts the sandbox and fills the rest. */
  readonly mode: 'tenant' | 'sandbox';
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Entra authority host, e.g. https://login.microsoftonline.com (no tenant segment). */
  readonly authorityHost: string;
  /** Graph root, e.g. https://graph.microsoft.com (Trellis appends /v1.0). */
  readonly graphBaseUrl: string;
  readonly botOpenIdMetadataUrl: string;
  /** The Bot Connector's base URL for proactive messages to a team Trellis has no conversation with yet. */
  readonly botServiceUrl: string;
  /** Extra CA (PEM file) trusted for these endpoints, besides the system store; the sandbox's in embedded mode. */
  readonly caFile: string | undefined;
  readonly sandboxPort: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** One documented environment variable. The docs page is generated from this list. */
export interface ConfigVar {
  readonly name: string;
  readonly doc: string;
  readonly default: string;
  readonly example: string;
  readonly secret?: boolean;
}

export const CONFIG_VARS: readonly ConfigVar[] = [
  {
    name: 'HOST',
    doc: 'Interface to listen on. `localhost` binds IPv4 and IPv6 loopback; use `0.0.0.0` or `::` to serve other machines. Must be a loopback address when `TLS_MODE=proxy`.',
    default: 'localhost',
    example: '0.0.0.0',
  },
  {
    name: 'PORT',
    doc: 'TCP port of the HTTPS (or, behind a proxy, plain HTTP) listener.',
    default: '8443',
    example: '443',
  },
  {
    name: 'PUBLIC_URL',
    doc: 'The URL users reach Trellis at; used in links, the app manifest and CORS.',
    default: 'https://localhost:$PORT',
    example: 'https://trellis.contoso.com',
  },
  {
    name: 'DATA_DIR',
    doc: 'Folder for the embedded database, local blobs, the local key file and generated certificates.',
    default: './data',
    example: '/var/lib/trellis',
  },
  {
    name: 'ENV_FILE',
    doc: 'A dotenv file read before the environment (the environment wins). Ignored when absent.',
    default: './.env',
    example: '/etc/trellis/trellis.env',
  },
  {
    name: 'TLS_MODE',
    doc: '`local-ca`: generate (once) a local CA and a localhost certificate under `DATA_DIR/tls`; `files`: serve `TLS_CERT_FILE`/`TLS_KEY_FILE`; `proxy`: plain HTTP on loopback behind a TLS-terminating front (Front Door, nginx, HAProxy).',
    default: '`files` if `TLS_CERT_FILE` is set, else `local-ca`',
    example: 'proxy',
  },
  {
    name: 'TLS_CERT_FILE',
    doc: 'PEM certificate chain to serve (with `TLS_MODE=files`).',
    default: '(none)',
    example: '/etc/trellis/tls/fullchain.pem',
  },
  {
    name: 'TLS_KEY_FILE',
    doc: 'PEM private key matching `TLS_CERT_FILE`.',
    default: '(none)',
    example: '/etc/trellis/tls/privkey.pem',
    secret: true,
  },
  {
    name: 'TRUSTED_PROXIES',
    doc: "Comma-separated IPs or CIDRs whose `X-Forwarded-*` headers are trusted (proxy mode only; anyone else's are ignored).",
    default: '127.0.0.1,::1 in proxy mode; none otherwise',
    example: '127.0.0.1,10.0.0.0/8',
  },
  {
    name: 'LOAD_SHED_EVENT_LOOP_DELAY_MS',
    doc: 'Load shedding: while the event loop lags more than this on average, requests get 503 with `Retry-After` at once instead of queueing (the heap is also watched: past 90 % of its limit). `/healthz` is never shed.',
    default: '1000',
    example: '500',
  },
  {
    name: 'HTTP_REDIRECT_PORT',
    doc: 'Optional plain-HTTP port that redirects browser pages to HTTPS and refuses API calls (never redirects them).',
    default: '(off)',
    example: '8080',
  },
  {
    name: 'CORS_ORIGINS',
    doc: 'Comma-separated origins allowed to call the API from a browser. Anything else gets no CORS headers.',
    default: '(none)',
    example: 'https://contoso.sharepoint.com',
  },
  {
    name: 'BODY_LIMIT_BYTES',
    doc: 'Largest accepted JSON request body.',
    default: '65536',
    example: '131072',
  },
  {
    name: 'HEADERS_TIMEOUT_MS',
    doc: 'A connection that has not sent complete request headers within this time is closed (slow-header protection).',
    default: '10000',
    example: '5000',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    doc: 'A request whose body has not fully arrived within this time is closed (slow-body protection).',
    default: '30000',
    example: '20000',
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_MS',
    doc: 'Idle keep-alive timeout; keep it above the idle timeout of any proxy in front.',
    default: '65000',
    example: '75000',
  },
  {
    name: 'SHUTDOWN_DRAIN_MS',
    doc: 'On SIGTERM, how long `/readyz` answers 503 before the listener closes, so that load-balancer probes notice (Front Door: interval × samples).',
    default: '0',
    example: '30000',
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    doc: 'Upper bound for in-flight requests and background work to finish after the drain; then connections are cut.',
    default: '25000',
    example: '60000',
  },
  {
    name: 'RATE_LIMIT_PER_MINUTE',
    doc: 'Requests per minute per client IP (shared across instances through Redis when configured).',
    default: '1200',
    example: '600',
  },
  {
    name: 'DATABASE_URL',
    doc: 'PostgreSQL connection string of the schema owner (runs migrations). Unset: embedded PGlite under `DATA_DIR/db`.',
    default: '(embedded PGlite)',
    example: 'postgres://trellis_owner:…@db.contoso.com:5432/trellis?sslmode=verify-full',
    secret: true,
  },
  {
    name: 'DATABASE_APP_URL',
    doc: 'Optional separate login for the application, a member of `trellis_app` that is neither owner, superuser nor BYPASSRLS. Unset: the app uses `DATABASE_URL` and `SET ROLE trellis_app`.',
    default: '(DATABASE_URL + SET ROLE)',
    example: 'postgres://trellis_web:…@db.contoso.com:5432/trellis',
    secret: true,
  },
  { name: 'DATABASE_POOL_MAX', doc: 'Connections per process to PostgreSQL.', default: '10', example: '20' },
  {
    name: 'REDIS_URL',
    doc: 'Redis for the shared cache and rate limits. Unset: in-process LRU cache.',
    default: '(in-process)',
    example: 'rediss://:…@trellis.redis.cache.windows.net:6380',
    secret: true,
  },
  {
    name: 'BLOB_BACKEND',
    doc: '`local` (files under `DATA_DIR/blobs`) or `azure` (Azure Blob Storage).',
    default: '`azure` if `AZURE_STORAGE_CONNECTION_STRING` is set, else `local`',
    example: 'azure',
  },
  {
    name: 'AZURE_STORAGE_CONNECTION_STRING',
    doc: 'Connection string of the storage account (Azurite works too).',
    default: '(none)',
    example: 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net',
    secret: true,
  },
  {
    name: 'BLOB_CONTAINER',
    doc: "Container (Azure) holding Trellis's blobs; created when missing.",
    default: 'trellis',
    example: 'trellis-prod',
  },
  {
    name: 'KEY_PROVIDER',
    doc: '`local` (a key-encryption key in a 0600 file) or `keyvault` (Azure Key Vault RSA key, wrap/unwrap with RSA-OAEP-256).',
    default: '`keyvault` if `KEYVAULT_URL` is set, else `local`',
    example: 'keyvault',
  },
  {
    name: 'KEY_FILE',
    doc: 'The local key-encryption key file, created on first start with mode 0600.',
    default: '$DATA_DIR/keys/kek.json',
    example: '/etc/trellis/kek.json',
  },
  {
    name: 'KEYVAULT_URL',
    doc: 'Azure Key Vault URL.',
    default: '(none)',
    example: 'https://trellis-kv.vault.azure.net',
  },
  {
    name: 'KEYVAULT_KEY_NAME',
    doc: 'Name of the RSA key in Key Vault (created on first use when missing).',
    default: 'trellis-kek',
    example: 'trellis-kek',
  },
  {
    name: 'AZURE_TENANT_ID',
    doc: 'Entra tenant of the service principal Trellis uses for Azure resources (Key Vault).',
    default: '(none)',
    example: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  },
  {
    name: 'AZURE_CLIENT_ID',
    doc: 'Client id of that service principal.',
    default: '(none)',
    example: '00000000-0000-0000-0000-000000000000',
  },
  {
    name: 'AZURE_CLIENT_SECRET',
    doc: 'Client secret of that service principal.',
    default: '(none)',
    example: '…',
    secret: true,
  },
  {
    name: 'AZURE_AUTHORITY_HOST',
    doc: 'Entra authority host (sovereign clouds, or the local sandbox).',
    default: 'https://login.microsoftonline.com',
    example: 'https://login.microsoftonline.us',
  },
  {
    name: 'M365_TENANT_ID',
    doc: 'Your Microsoft 365 tenant (Entra tenant id). Unset: Trellis starts the local Microsoft 365 sandbox with the Contoso demo tenant and uses it.',
    default: '(sandbox)',
    example: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  },
  {
    name: 'M365_CLIENT_ID',
    doc: "Client id of Trellis's Entra app registration (Graph application permissions, SSO, bot).",
    default: '(sandbox)',
    example: '00000000-0000-0000-0000-000000000000',
  },
  {
    name: 'M365_CLIENT_SECRET',
    doc: 'Client secret of that app registration.',
    default: '(sandbox)',
    example: '…',
    secret: true,
  },
  {
    name: 'M365_AUTHORITY_HOST',
    doc: 'Entra ID authority host.',
    default: 'https://login.microsoftonline.com',
    example: 'https://login.microsoftonline.us',
  },
  {
    name: 'GRAPH_BASE_URL',
    doc: 'Microsoft Graph root (national clouds differ).',
    default: 'https://graph.microsoft.com',
    example: 'https://graph.microsoft.us',
  },
  {
    name: 'BOT_OPENID_METADATA_URL',
    doc: 'Bot Framework OpenID metadata that inbound bot tokens are checked against.',
    default: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
    example: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
  },
  {
    name: 'BOT_SERVICE_URL',
    doc: "Bot Connector base URL for proactive messages to teams Trellis has no conversation with yet (the engine's welcome posts).",
    default: 'https://smba.trafficmanager.net/teams/',
    example: 'https://smba.infra.gov.teams.microsoft.us/',
  },
  {
    name: 'M365_CA_FILE',
    doc: 'A PEM CA trusted, in addition to the system store, for Entra, Graph, Bot Framework and Key Vault endpoints. Certificate checks are never turned off.',
    default: "(none; the sandbox's CA in embedded mode)",
    example: '/etc/trellis/corporate-proxy-ca.pem',
  },
  {
    name: 'SANDBOX_PORT',
    doc: 'Port of the Microsoft 365 sandbox started in embedded mode (`https://localhost:SANDBOX_PORT`).',
    default: '8444',
    example: '9444',
  },
  {
    name: 'TEAMS_APP_ID',
    doc: "Id (a GUID) of the Teams app in the generated app package (`trellis manifest`, `GET /api/v1/teams-app/package`). Unset: the Entra app's client id, which the bot and the message extension always use.",
    default: '`M365_CLIENT_ID` (the sandbox app in embedded mode)',
    example: '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b',
  },
  {
    name: 'TEAMS_APP_NAME',
    doc: 'Short name of the Teams app, as people see it in Teams (at most 30 characters).',
    default: 'Trellis',
    example: 'Contoso Teams',
  },
  {
    name: 'TEAMS_VALID_DOMAINS',
    doc: "Comma-separated host names (no scheme, port or path; `*.` allowed as the first label) added to the app manifest's `validDomains`, besides the host of `PUBLIC_URL`: domains the Teams tabs may navigate to.",
    default: '(none)',
    example: 'intranet.contoso.com,*.sharepoint.com',
  },
  {
    name: 'FRONT_DOOR_IDS',
    doc: 'Comma-separated Azure Front Door profile ids. When set, every request must carry one of them in `X-Azure-FDID` (Front Door adds it): requests that bypass the front are refused with 403, except health probes from `HEALTH_PROBE_SOURCES`.',
    default: '(off)',
    example: 'a1b2c3d4-0000-4000-8000-00000000f00d',
  },
  {
    name: 'ALLOWED_SOURCES',
    doc: "Comma-separated IPs or CIDRs allowed to connect at all (the front's egress ranges, e.g. the `AzureFrontDoor.Backend` service tag, or your load balancer). Anyone else is refused with 403, except health probes from `HEALTH_PROBE_SOURCES`.",
    default: '(anyone)',
    example: '147.243.0.0/16,10.0.0.0/8',
  },
  {
    name: 'HEALTH_PROBE_SOURCES',
    doc: 'Comma-separated IPs or CIDRs whose health probes (`/livez`, `/readyz`, `/healthz`) and Prometheus scrapes (`/metrics`, which still needs `METRICS_TOKEN`) pass the entry lock without `X-Azure-FDID`.',
    default: '127.0.0.1,::1',
    example: '127.0.0.1,::1,168.63.129.16',
  },
  {
    name: 'SECURITY_CONTACT',
    doc: 'Where vulnerabilities are reported: the `Contact:` of `/.well-known/security.txt` (`mailto:` or `https:`).',
    default: 'mailto:security@<host of PUBLIC_URL>',
    example: 'mailto:security@contoso.com',
  },
  {
    name: 'HELP_CENTER_URL',
    doc: 'The help center (user and admin documentation) when hosted elsewhere; listed in the domain allowlist.',
    default: '(none)',
    example: 'https://help.trellis.example',
  },
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    doc: 'Azure Monitor / Application Insights connection string; its ingestion and live endpoints are listed in the domain allowlist.',
    default: '(none)',
    example: 'InstrumentationKey=…;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
    secret: true,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    doc: 'OTLP/HTTP collector for traces and metrics; listed in the domain allowlist.',
    default: '(none)',
    example: 'https://otel.contoso.com:4318',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    doc: 'Headers sent to the OTLP collector with every export, as `key=value` pairs separated by commas (values URL-encoded), e.g. its API key.',
    default: '(none)',
    example: 'x-api-key=0123456789abcdef',
    secret: true,
  },
  {
    name: 'TRACE_SAMPLE_RATIO',
    doc: "Share of new traces recorded and exported, from 0 to 1. A request carrying a `traceparent` follows the caller's decision; a provisioning run is always traced whole or not at all.",
    default: '1',
    example: '0.1',
  },
  {
    name: 'METRICS_TOKEN',
    doc: 'Bearer token (at least 32 characters) that a Prometheus scraper sends to `GET /metrics` (`Authorization: Bearer …`). Unset: `/metrics` does not exist (404); a missing or wrong token gets 401.',
    default: '(none: no /metrics)',
    example: '3c1f0e9a7d5b4c2e8f6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c',
    secret: true,
  },
  {
    name: 'WEBHOOK_RETRY_SCHEDULE',
    doc: 'Seconds between webhook delivery attempts, comma-separated: one retry per entry after the first attempt (with up to 10% jitter). The default spans about three days.',
    default: '30,120,600,3600,10800,21600,43200,86400,86400',
    example: '10,60,300',
  },
  {
    name: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    doc: 'true lets webhooks reach loopback, private (RFC 1918), link-local, unique-local and CGNAT addresses. The address is checked when connecting, after DNS resolution.',
    default: 'false',
    example: 'true',
  },
  {
    name: 'WEBHOOK_CA_FILE',
    doc: 'A PEM CA trusted, in addition to the system store, for webhook receivers with a private CA. Certificate checks are never turned off.',
    default: '(none)',
    example: '/etc/trellis/receivers-ca.pem',
  },
  {
    name: 'WEBHOOK_DISABLE_AFTER_FAILURES',
    doc: 'A webhook subscription is disabled (and the change audited) after this many consecutive deliveries failed all their attempts.',
    default: '10',
    example: '5',
  },
  {
    name: 'PROVISIONING_CONCURRENCY',
    doc: 'Provisioning runs one worker process executes at once (each run makes one Graph call at a time per step, shared fairly).',
    default: '4',
    example: '16',
  },
  {
    name: 'PROVISIONING_LEASE_SECONDS',
    doc: 'A worker holds a lease on each run it executes, renewed every third of this; when a worker dies, another resumes its runs once the lease is this old.',
    default: '30',
    example: '60',
  },
  {
    name: 'PROVISIONING_RECOVERY_SECONDS',
    doc: 'How often the cluster leader (one worker) looks for runs whose worker died (expired leases) and wakes them up; also how soon another worker takes over when the leader stops or dies.',
    default: '15',
    example: '30',
  },
  {
    name: 'PROVISIONING_SLICE_SECONDS',
    doc: 'A run gives its worker back after this long and goes on in a new job, so that long runs do not starve others.',
    default: '300',
    example: '600',
  },
  {
    name: 'GRAPH_MAX_CONCURRENCY',
    doc: 'Upper bound of Graph requests in flight per Microsoft 365 tenant; the adaptive limit grows towards it while Graph does not throttle and halves on each 429.',
    default: '16',
    example: '32',
  },
  {
    name: 'LOG_LEVEL',
    doc: 'fatal, error, warn, info, debug, trace or silent.',
    default: 'info',
    example: 'debug',
  },
];

const SECRET_NAMES = new Set(CONFIG_VARS.filter((v) => v.secret).map((v) => v.name));

/** Names of variables whose values must never be printed. */
export function isSecretVariable(name: string): boolean {
  return SECRET_NAMES.has(name);
}

class Reader {
  readonly #env: Env;
  constructor(env: Env) {
    this.#env = env;
  }

  raw(name: string): string | undefined {
    const value = this.#env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw errors.config(name, `expected a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw errors.config(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.int(name, 0, min, max);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw errors.config(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  list(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      // Never echo the value: connection strings carry passwords.
      throw errors.config(name, 'is not a valid URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw errors.config(name, `must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`);
    }
    return value;
  }
}

function checkCidr(name: string, entry: string): void {
  const [address, bits, extra] = entry.split('/');
  const family = address === undefined ? 0 : isIP(address);
  const max = family === 6 ? 128 : 32;
  const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
  if (family === 0 || !bitsOk || extra !== undefined) {
    throw errors.config(name, `"${entry}" is not an IP address or CIDR range`);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Reads ENV_FILE (default ./.env) if present; the real environment wins over it. */
export function withEnvFile(env: Env, cwd = process.cwd()): Env {
  const file = env.ENV_FILE?.trim() || path.join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !env.ENV_FILE) return env;
    throw errors.config('ENV_FILE', `cannot read ${file}: ${(error as Error).message}`);
  }
  return { ...parseDotenv(text), ...env };
}

/**
 * Parses and validates the configuration once.
 * @throws AppError(config_invalid) naming the first bad variable.
 */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  const r = new Reader(env);
  const host = r.string('HOST', 'localhost');
  const port = r.int('PORT', 8443, 0, 65535);
  const dataDir = path.resolve(cwd, r.string('DATA_DIR', './data'));

  const certFile = r.raw('TLS_CERT_FILE');
  const keyFile = r.raw('TLS_KEY_FILE');
  const tlsMode = r.oneOf<TlsMode>(
    'TLS_MODE',
    ['local-ca', 'files', 'proxy'],
    certFile ? 'files' : 'local-ca',
  );
  if (tlsMode === 'files' && (!certFile || !keyFile)) {
    throw errors.config(certFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', 'is required with TLS_MODE=files');
  }
  if (tlsMode !== 'files' && (certFile || keyFile)) {
    throw errors.config(
      'TLS_MODE',
      `is ${tlsMode} but TLS_CERT_FILE/TLS_KEY_FILE are set; use TLS_MODE=files`,
    );
  }
  if (tlsMode === 'proxy' && !isLoopback(host)) {
    throw errors.config(
      'HOST',
      `must be a loopback address with TLS_MODE=proxy (plain HTTP never leaves the machine), got "${host}"`,
    );
  }

  const trustedProxies = r.list('TRUSTED_PROXIES') ?? (tlsMode === 'proxy' ? ['127.0.0.1', '::1'] : []);
  if (tlsMode !== 'proxy' && trustedProxies.length > 0) {
    throw errors.config('TRUSTED_PROXIES', 'is only meaningful with TLS_MODE=proxy');
  }
  for (const entry of trustedProxies) checkCidr('TRUSTED_PROXIES', entry);

  const defaultPublic = `https://localhost${port === 443 ? '' : `:${port}`}`;
  const publicUrl = (r.url('PUBLIC_URL', ['https:']) ?? defaultPublic).replace(/\/+$/, '');

  const corsOrigins = r.list('CORS_ORIGINS') ?? [];
  for (const origin of corsOrigins) {
    let ok: boolean;
    try {
      const u = new URL(origin);
      ok = u.protocol === 'https:' && u.origin === origin;
    } catch {
      ok = false;
    }
    if (!ok)
      throw errors.config(
        'CORS_ORIGINS',
        `"${origin}" is not an https origin (scheme://host[:port], no path)`,
      );
  }

  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const appUrl = r.url('DATABASE_APP_URL', ['postgres:', 'postgresql:']);
  if (appUrl && !databaseUrl)
    throw errors.config('DATABASE_APP_URL', 'needs DATABASE_URL (the owner login that runs migrations)');

  const azureConnectionString = r.raw('AZURE_STORAGE_CONNECTION_STRING');
  const blobBackend = r.oneOf(
    'BLOB_BACKEND',
    ['local', 'azure'] as const,
    azureConnectionString ? 'azure' : 'local',
  );
  if (blobBackend === 'azure' && !azureConnectionString) {
    throw errors.config('AZURE_STORAGE_CONNECTION_STRING', 'is required with BLOB_BACKEND=azure');
  }
  const container = r.string('BLOB_CONTAINER', 'trellis');
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container)) {
    throw errors.config('BLOB_CONTAINER', 'must be 3-63 lowercase letters, digits and single hyphens');
  }

  const keyVaultUrl = r.url('KEYVAULT_URL', ['https:']);
  const keyProvider = r.oneOf(
    'KEY_PROVIDER',
    ['local', 'keyvault'] as const,
    keyVaultUrl ? 'keyvault' : 'local',
  );
  if (keyProvider === 'keyvault' && !keyVaultUrl)
    throw errors.config('KEYVAULT_URL', 'is required with KEY_PROVIDER=keyvault');
  const keyVaultKeyName = r.string('KEYVAULT_KEY_NAME', 'trellis-kek');
  if (!/^[0-9a-zA-Z-]{1,127}$/.test(keyVaultKeyName)) {
    throw errors.config('KEYVAULT_KEY_NAME', 'may contain only letters, digits and hyphens (1-127)');
  }

  const azure = {
    tenantId: r.raw('AZURE_TENANT_ID'),
    clientId: r.raw('AZURE_CLIENT_ID'),
    clientSecret: r.raw('AZURE_CLIENT_SECRET'),
    authorityHost: r.url('AZURE_AUTHORITY_HOST', ['https:']),
  };
  if (keyProvider === 'keyvault') {
    for (const [name, value] of [
      ['AZURE_TENANT_ID', azure.tenantId],
      ['AZURE_CLIENT_ID', azure.clientId],
      ['AZURE_CLIENT_SECRET', azure.clientSecret],
    ] as const) {
      if (!value) throw errors.config(name, 'is required with KEY_PROVIDER=keyvault');
    }
  }

  const config: Config = {
    host,
    port,
    publicUrl,
    dataDir,
    tls: { mode: tlsMode, certFile, keyFile },
    trustedProxies,
    httpRedirectPort: r.optionalInt('HTTP_REDIRECT_PORT', 1, 65535),
    corsOrigins,
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 65536, 1024, 64 * 1024 * 1024),
    timeouts: {
      headersMs: r.int('HEADERS_TIMEOUT_MS', 10_000, 1000, 120_000),
      requestMs: r.int('REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
      keepAliveMs: r.int('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, 600_000),
      shutdownDrainMs: r.int('SHUTDOWN_DRAIN_MS', 0, 0, 300_000),
      shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 25_000, 1000, 600_000),
    },
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 1200, 1, 1_000_000),
    loadShedEventLoopDelayMs: r.int('LOAD_SHED_EVENT_LOOP_DELAY_MS', 1000, 20, 60_000),
    database: { url: databaseUrl, appUrl, poolMax: r.int('DATABASE_POOL_MAX', 10, 1, 500) },
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    blob: {
      backend: blobBackend,
      localDir: path.join(dataDir, 'blobs'),
      azureConnectionString,
      container,
    },
    keys: {
      provider: keyProvider,
      keyFile: path.resolve(cwd, r.string('KEY_FILE', path.join(dataDir, 'keys', 'kek.json'))),
      keyVaultUrl,
      keyVaultKeyName,
    },
    azure,
    m365: loadM365(r, cwd),
    webhooks: loadWebhooks(r, cwd),
    provisioning: {
      concurrency: r.int('PROVISIONING_CONCURRENCY', 4, 1, 100),
      leaseSeconds: r.int('PROVISIONING_LEASE_SECONDS', 30, 2, 600),
      recoverySeconds: r.int('PROVISIONING_RECOVERY_SECONDS', 15, 1, 600),
      sliceSeconds: r.int('PROVISIONING_SLICE_SECONDS', 300, 5, 3600),
      graphMaxConcurrency: r.int('GRAPH_MAX_CONCURRENCY', 16, 1, 256),
    },
    teams: loadTeams(r),
    network: loadNetwork(r, publicUrl),
    telemetry: loadTelemetry(r),
    logLevel: r.oneOf<LogLevel>(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
  };
  if (config.timeouts.headersMs > config.timeouts.requestMs) {
    throw errors.config('HEADERS_TIMEOUT_MS', 'must not exceed REQUEST_TIMEOUT_MS');
  }
  return deepFreeze(config);
}

function loadNetwork(r: Reader, publicUrl: string): NetworkConfig {
  const frontDoorIds = (r.list('FRONT_DOOR_IDS') ?? []).map((id) => id.toLowerCase());
  for (const id of frontDoorIds) {
    if (!GUID.test(id)) throw errors.config('FRONT_DOOR_IDS', `"${id}" is not a Front Door id (a GUID)`);
  }
  const allowedSources = r.list('ALLOWED_SOURCES') ?? [];
  for (const entry of allowedSources) checkCidr('ALLOWED_SOURCES', entry);
  const healthProbeSources = r.list('HEALTH_PROBE_SOURCES') ?? ['127.0.0.1', '::1'];
  for (const entry of healthProbeSources) checkCidr('HEALTH_PROBE_SOURCES', entry);
  const contact = r.raw('SECURITY_CONTACT') ?? `mailto:security@${new URL(publicUrl).hostname}`;
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(contact)) {
    throw errors.config('SECURITY_CONTACT', 'must be a mailto: address or an https: URL');
  }
  const insights = r.raw('APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (insights !== undefined && !/(^|;)\s*(InstrumentationKey|IngestionEndpoint)=/i.test(insights)) {
    throw errors.config(
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'is not an Application Insights connection string',
    );
  }
  return {
    frontDoorIds,
    allowedSources,
    healthProbeSources,
    securityContact: contact,
    helpCenterUrl: r.url('HELP_CENTER_URL', ['https:'])?.replace(/\/+$/, ''),
    appInsightsConnectionString: insights,
    otlpEndpoint: r.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['https:', 'http:'])?.replace(/\/+$/, ''),
  };
}

function loadTelemetry(r: Reader): TelemetryConfig {
  const metricsToken = r.raw('METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{32,}$/.test(metricsToken)) {
    throw errors.config('METRICS_TOKEN', 'must be at least 32 printable characters without spaces');
  }
  const otlpHeaders: Record<string, string> = {};
  for (const pair of r.list('OTEL_EXPORTER_OTLP_HEADERS') ?? []) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim().toLowerCase();
    // Never echo the value: it is usually a credential.
    if (at <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) {
      throw errors.config('OTEL_EXPORTER_OTLP_HEADERS', 'expected key=value pairs separated by commas');
    }
    try {
      otlpHeaders[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw errors.config('OTEL_EXPORTER_OTLP_HEADERS', `the value of ${key} is not URL-encoded properly`);
    }
  }
  const ratioText = r.raw('TRACE_SAMPLE_RATIO');
  const traceSampleRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (ratioText !== undefined && (!/^\d*\.?\d+$/.test(ratioText) || traceSampleRatio > 1)) {
    throw errors.config('TRACE_SAMPLE_RATIO', `must be a number from 0 to 1, got "${ratioText}"`);
  }
  return { metricsToken, otlpHeaders, traceSampleRatio };
}

function loadM365(r: Reader, cwd: string): M365Config {
  const tenantId = r.raw('M365_TENANT_ID');
  const clientId = r.raw('M365_CLIENT_ID');
  const clientSecret = r.raw('M365_CLIENT_SECRET');
  if (tenantId) {
    if (!clientId) throw errors.config('M365_CLIENT_ID', 'is required with M365_TENANT_ID');
    if (!clientSecret) throw errors.config('M365_CLIENT_SECRET', 'is required with M365_TENANT_ID');
  } else if (clientId || clientSecret) {
    throw errors.config('M365_TENANT_ID', 'is required with M365_CLIENT_ID/M365_CLIENT_SECRET');
  }
  const caFile = r.raw('M365_CA_FILE');
  return {
    mode: tenantId ? 'tenant' : 'sandbox',
    tenantId,
    clientId,
    clientSecret,
    authorityHost: (r.url('M365_AUTHORITY_HOST', ['https:']) ?? 'https://login.microsoftonline.com').replace(
      /\/+$/,
      '',
    ),
    graphBaseUrl: (r.url('GRAPH_BASE_URL', ['https:']) ?? 'https://graph.microsoft.com').replace(/\/+$/, ''),
    botOpenIdMetadataUrl:
      r.url('BOT_OPENID_METADATA_URL', ['https:']) ??
      'https://login.botframework.com/v1/.well-known/openidconfiguration',
    botServiceUrl: r.url('BOT_SERVICE_URL', ['https:']) ?? 'https://smba.trafficmanager.net/teams/',
    caFile: caFile ? path.resolve(cwd, caFile) : undefined,
    sandboxPort: r.int('SANDBOX_PORT', 8444, 0, 65535),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS host name, optionally with a leading wildcard label (`*.contoso.com`), as validDomains allows.
const HOST_NAME =
  /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

function loadTeams(r: Reader): TeamsConfig {
  const appId = r.raw('TEAMS_APP_ID');
  if (appId !== undefined && !GUID.test(appId)) {
    throw errors.config('TEAMS_APP_ID', `must be a GUID, got "${appId}"`);
  }
  const appName = r.string('TEAMS_APP_NAME', 'Trellis');
  if (appName.length > 30) {
    throw errors.config(
      'TEAMS_APP_NAME',
      `must be at most 30 characters (Teams' limit), got ${appName.length}`,
    );
  }
  const validDomains = (r.list('TEAMS_VALID_DOMAINS') ?? []).map((entry) => {
    const host = entry.toLowerCase();
    if (!HOST_NAME.test(host)) {
      throw errors.config(
        'TEAMS_VALID_DOMAINS',
        `"${entry}" is not a host name (no scheme, port or path; "*." only as the first label)`,
      );
    }
    return host;
  });
  return { appId, appName, validDomains: [...new Set(validDomains)] };
}

function loadWebhooks(r: Reader, cwd: string): WebhookConfig {
  const schedule = r.list('WEBHOOK_RETRY_SCHEDULE') ?? [
    '30',
    '120',
    '600',
    '3600',
    '10800',
    '21600',
    '43200',
    '86400',
    '86400',
  ];
  const retrySchedule = schedule.map((entry) => {
    if (!/^\d+$/.test(entry) || Number(entry) < 1 || Number(entry) > 7 * 86_400) {
      throw errors.config('WEBHOOK_RETRY_SCHEDULE', `"${entry}" is not a number of seconds from 1 to 604800`);
    }
    return Number(entry);
  });
  if (retrySchedule.length > 30) throw errors.config('WEBHOOK_RETRY_SCHEDULE', 'allows at most 30 retries');
  const caFile = r.raw('WEBHOOK_CA_FILE');
  return {
    retrySchedule,
    allowPrivateNetworks:
      r.oneOf('WEBHOOK_ALLOW_PRIVATE_NETWORKS', ['true', 'false'] as const, 'false') === 'true',
    caFile: caFile ? path.resolve(cwd, caFile) : undefined,
    disableAfterFailures: r.int('WEBHOOK_DISABLE_AFTER_FAILURES', 10, 1, 1000),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** The configuration page (docs/configuration.md), generated from CONFIG_VARS. */
export function renderConfigDocs(): string {
  const lines = [
    '# Configuration',
    '',
    'Trellis reads its configuration once at start, from the environment and optionally a dotenv file',
    '(`ENV_FILE`, default `./.env`; the environment wins). A bad value stops start-up with one message',
    'naming the variable, and exit code 2. With nothing set, Trellis runs its embedded default:',
    'HTTPS on `https://localhost:8443`, PGlite, local blobs and keys, the Microsoft 365 sandbox.',
    '',
    'Variables marked _secret_ are never logged or printed by `trellis doctor`.',
    '',
    '<!-- generated from src/config.ts by `node scripts/gen-config-docs.ts`; do not edit by hand -->',
    '',
  ];
  for (const v of CONFIG_VARS) {
    lines.push(
      `## \`${v.name}\`${v.secret ? ' _(secret)_' : ''}`,
      '',
      v.doc,
      '',
      `- Default: ${v.default}`,
      `- Example: \`${v.example}\``,
      '',
    );
  }
  return lines.join('\n');
}
