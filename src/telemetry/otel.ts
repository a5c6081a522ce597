import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  type Attributes,
  context,
  type DiagLogger,
  diag,
  DiagLogLevel,
  metrics,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import type { Config } from '../config.ts';
import { instruments } from './instruments.ts';
import type { Logger } from './logger.ts';
import { ATTR_HOST_NAME } from './tracing.ts';

/** What a process does: serve HTTP, run jobs, or both (`trellis start --role`). */
export type TelemetryRole = 'web' | 'worker' | 'all';

/** The process's OpenTelemetry pipeline: tracer and meter providers with their exporters. */
export interface Telemetry {
  /** Spans are recorded and exported (an OTLP collector or Application Insights is configured). */
  readonly tracing: boolean;
  /** Metrics are collected (an exporter or the Prometheus endpoint is configured). */
  readonly metrics: boolean;
  /** The current metrics in Prometheus text format; null without `METRICS_TOKEN` (no Prometheus reader). */
  prometheusText(): Promise<string | null>;
  /** Exports everything recorded so far. */
  forceFlush(): Promise<void>;
  /** Flushes, stops the exporters and uninstalls the global providers. */
  shutdown(): Promise<void>;
}

/** Nothing configured: the OpenTelemetry API stays on its no-op implementation, at no cost. */
export const DISABLED_TELEMETRY: Telemetry = {
  tracing: false,
  metrics: false,
  prometheusText: async () => null,
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** How the pipeline is put together (`startTelemetry` derives it from the configuration; tests pass their own). */
export interface PipelineOptions {
  log: Logger;
  /** Resource attributes besides the service's name, version and instance id. */
  resource?: Attributes;
  spanExporters: readonly SpanExporter[];
  /** Exporters pushed to on a period (OTLP, Azure Monitor). */
  metricExporters: readonly PushMetricExporter[];
  /** A pull reader for `/metrics`. */
  prometheus: boolean;
  /** Share of new traces recorded (parents' decisions are followed); 1 records all. */
  sampleRatio?: number;
  metricExportIntervalMs?: number;
}

// One pipeline per process: the OpenTelemetry API's providers are process-wide.
let installed = false;

function trellisVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Exporter warnings (a collector that is down …) in Trellis's own log; debug chatter is dropped. */
function diagLoggerOf(log: Logger): DiagLogger {
  const write = (message: string, args: unknown[]) =>
    log.warn(
      { otel: args.map((a) => (a instanceof Error ? a.message : String(a))) },
      `telemetry: ${message}`,
    );
  return {
    error: (message, ...args) => write(message, args),
    warn: (message, ...args) => write(message, args),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
}

/** The SDK, loaded only when something is configured (the embedded default never loads it). */
function loadSdk(prometheus: boolean) {
  return Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    prometheus ? import('@opentelemetry/exporter-prometheus') : undefined,
  ]);
}

/**
 * Installs tracer and meter providers as the process's OpenTelemetry implementation. A second
 * pipeline in the same process (tests that start two instances) is refused with a warning: the
 * instance then records nothing.
 */
export async function installTelemetry(options: PipelineOptions): Promise<Telemetry> {
  const tracing = options.spanExporters.length > 0;
  const metering = options.metricExporters.length > 0 || options.prometheus;
  if (!tracing && !metering) return DISABLED_TELEMETRY;
  if (installed) {
    options.log.warn('telemetry: another pipeline runs in this process; this instance records nothing');
    await Promise.allSettled([...options.spanExporters, ...options.metricExporters].map((e) => e.shutdown()));
    return DISABLED_TELEMETRY;
  }
  installed = true;
  const loaded = await loadSdk(options.prometheus).catch((error: unknown) => {
    installed = false;
    throw error;
  });
  const [{ resourceFromAttributes }, traceSdk, metricsSdk, { AsyncLocalStorageContextManager }, core, prom] =
    loaded;
  diag.setLogger(diagLoggerOf(options.log), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'trellis',
    [ATTR_SERVICE_VERSION]: trellisVersion(),
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
    [ATTR_HOST_NAME]: hostname(),
    ...options.resource,
  });

  let tracerProvider: InstanceType<typeof traceSdk.BasicTracerProvider> | undefined;
  if (tracing) {
    const ratio = options.sampleRatio ?? 1;
    tracerProvider = new traceSdk.BasicTracerProvider({
      resource,
      sampler: new traceSdk.ParentBasedSampler({
        root: ratio >= 1 ? new traceSdk.AlwaysOnSampler() : new traceSdk.TraceIdRatioBasedSampler(ratio),
      }),
      // A provisioning run records a few hundred spans (Graph calls, queries): room for many at once.
      spanProcessors: options.spanExporters.map(
        (exporter) =>
          new traceSdk.BatchSpanProcessor(exporter, {
            maxQueueSize: 16_384,
            maxExportBatchSize: 1024,
            scheduledDelayMillis: 2000,
          }),
      ),
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
  }

  const prometheus = prom ? new prom.PrometheusExporter({ preventServerStart: true }) : undefined;
  const serializer = prom ? new prom.PrometheusSerializer() : undefined;
  let meterProvider: InstanceType<typeof metricsSdk.MeterProvider> | undefined;
  if (metering) {
    meterProvider = new metricsSdk.MeterProvider({
      resource,
      readers: [
        ...options.metricExporters.map(
          (exporter) =>
            new metricsSdk.PeriodicExportingMetricReader({
              exporter,
              exportIntervalMillis: options.metricExportIntervalMs ?? 60_000,
            }),
        ),
        ...(prometheus ? [prometheus] : []),
      ],
    });
    metrics.setGlobalMeterProvider(meterProvider);
    // Created now, so that every metric is there from the first scrape.
    instruments();
  }

  return {
    tracing,
    metrics: metering,
    async prometheusText() {
      if (!prometheus || !serializer) return null;
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    async forceFlush() {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
    },
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
      if (tracing) {
        trace.disable();
        propagation.disable();
        context.disable();
      }
      if (metering) metrics.disable();
      diag.disable();
      installed = false;
    },
  };
}

/** The exporters' own settings from `OTEL_EXPORTER_OTLP_HEADERS` and the endpoint. */
async function otlpExporters(endpoint: string, headers: Readonly<Record<string, string>>) {
  const [{ OTLPTraceExporter }, { OTLPMetricExporter }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
  ]);
  // OTLP/HTTP with JSON bodies: the signal paths are appended to the base endpoint, as the spec says.
  return {
    spans: new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, headers: { ...headers } }),
    metrics: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, headers: { ...headers } }),
  };
}

async function azureMonitorExporters(connectionString: string, dataDir: string) {
  const azure = await import('@azure/monitor-opentelemetry-exporter');
  // Telemetry that could not be sent waits under DATA_DIR, not in the system's temporary folder.
  const options = { connectionString, storageDirectory: path.join(dataDir, 'azure-monitor') };
  return {
    spans: new azure.AzureMonitorTraceExporter(options),
    metrics: new azure.AzureMonitorMetricExporter(options),
  };
}

/**
 * Starts this process's telemetry from the configuration: OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set (traces to /v1/traces, metrics to /v1/metrics), Azure Monitor when
 * `APPLICATIONINSIGHTS_CONNECTION_STRING` is, a Prometheus reader for `/metrics` when `METRICS_TOKEN`
 * is. With none of them, nothing is installed.
 */
export async function startTelemetry(
  config: Config,
  log: Logger,
  options: { role: TelemetryRole },
): Promise<Telemetry> {
  const { otlpEndpoint, appInsightsConnectionString } = config.network;
  const spanExporters: SpanExporter[] = [];
  const metricExporters: PushMetricExporter[] = [];
  for (const exporters of [
    otlpEndpoint ? await otlpExporters(otlpEndpoint, config.telemetry.otlpHeaders) : undefined,
    appInsightsConnectionString
      ? await azureMonitorExporters(appInsightsConnectionString, config.dataDir)
      : undefined,
  ]) {
    if (!exporters) continue;
    spanExporters.push(exporters.spans);
    metricExporters.push(exporters.metrics);
  }
  const telemetry = await installTelemetry({
    log,
    resource: { 'trellis.role': options.role, 'process.pid': process.pid },
    spanExporters,
    metricExporters,
    prometheus: config.telemetry.metricsToken !== undefined,
    sampleRatio: config.telemetry.traceSampleRatio,
  });
  if (telemetry.tracing || telemetry.metrics) {
    log.info(
      {
        otlp: otlpEndpoint !== undefined,
        azureMonitor: appInsightsConnectionString !== undefined,
        prometheus: config.telemetry.metricsToken !== undefined,
        sampleRatio: config.telemetry.traceSampleRatio,
      },
      'telemetry started',
    );
  }
  return telemetry;
}
