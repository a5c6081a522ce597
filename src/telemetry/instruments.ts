import {
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import {
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import { INSTRUMENTATION_SCOPE } from './tracing.ts';

/** Names of Trellis's own metrics (the HTTP ones follow the semantic conventions). */
export const METRIC = {
  httpServerDuration: METRIC_HTTP_SERVER_REQUEST_DURATION,
  httpClientDuration: METRIC_HTTP_CLIENT_REQUEST_DURATION,
  graphThrottled: 'trellis.graph.throttled',
  provisioningDuration: 'trellis.provisioning.duration',
  webhookFailures: 'trellis.webhook.failures',
  /** pg-boss's own gauge (job queue depth per queue and state), reported by worker processes. */
  queueDepth: 'pgboss.queue.jobs',
} as const;

// Semantic-convention boundaries for HTTP durations (seconds).
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
// A run takes from seconds (sandbox) to tens of minutes (replication waits in a large tenant).
const RUN_BUCKETS = [5, 10, 20, 30, 60, 120, 180, 300, 600, 900, 1800, 3600];

/** The instruments of one meter provider. */
export interface Instruments {
  httpServerDuration: Histogram;
  httpClientDuration: Histogram;
  graphThrottled: Counter;
  provisioningDuration: Histogram;
  webhookFailures: Counter;
}

const byProvider = new WeakMap<MeterProvider, Instruments>();

function create(meter: Meter): Instruments {
  const made: Instruments = {
    httpServerDuration: meter.createHistogram(METRIC.httpServerDuration, {
      description: 'Duration of HTTP server requests',
      unit: 's',
      advice: { explicitBucketBoundaries: HTTP_BUCKETS },
    }),
    httpClientDuration: meter.createHistogram(METRIC.httpClientDuration, {
      description: 'Duration of outgoing HTTP requests (Microsoft Graph, Bot Connector), per attempt',
      unit: 's',
      advice: { explicitBucketBoundaries: HTTP_BUCKETS },
    }),
    graphThrottled: meter.createCounter(METRIC.graphThrottled, {
      description: 'Microsoft Graph answers 429 Too Many Requests',
      unit: '{response}',
    }),
    provisioningDuration: meter.createHistogram(METRIC.provisioningDuration, {
      description: 'Provisioning runs from their first step to their end, by final status',
      unit: 's',
      advice: { explicitBucketBoundaries: RUN_BUCKETS },
    }),
    webhookFailures: meter.createCounter(METRIC.webhookFailures, {
      description: 'Webhook delivery attempts that failed (no answer, or a status other than 2xx)',
      unit: '{attempt}',
    }),
  };
  // Counters start at zero, so that a scraper sees them (and rate() works) before the first event.
  made.graphThrottled.add(0);
  made.webhookFailures.add(0);
  return made;
}

/**
 * Trellis's instruments on the installed meter provider (no-ops until `startTelemetry`); created once
 * per provider, so that a restarted pipeline gets fresh ones.
 */
export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  let found = byProvider.get(provider);
  if (!found) {
    found = create(provider.getMeter(INSTRUMENTATION_SCOPE));
    byProvider.set(provider, found);
  }
  return found;
}

/**
 * The installed meter provider without observable gauges: for libraries whose gauges only one kind
 * of process should report (pg-boss's queue depth, the same cached counts in every instance).
 */
export function meterProviderWithoutGauges(): MeterProvider {
  const noop = createNoopMeter();
  return {
    getMeter(name, version, options) {
      const meter = metrics.getMeterProvider().getMeter(name, version, options);
      return {
        createGauge: (...args) => meter.createGauge(...args),
        createHistogram: (...args) => meter.createHistogram(...args),
        createCounter: (...args) => meter.createCounter(...args),
        createUpDownCounter: (...args) => meter.createUpDownCounter(...args),
        createObservableGauge: (...args) => noop.createObservableGauge(...args),
        createObservableCounter: (...args) => meter.createObservableCounter(...args),
        createObservableUpDownCounter: (...args) => meter.createObservableUpDownCounter(...args),
        addBatchObservableCallback: (...args) => meter.addBatchObservableCallback(...args),
        removeBatchObservableCallback: (...args) => meter.removeBatchObservableCallback(...args),
      };
    },
  };
}
