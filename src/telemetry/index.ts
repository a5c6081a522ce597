export { createLogger, type Logger, REDACT_PATHS, redactUrl } from './logger.ts';
export { type ClientSpan, graphUrlTemplate, type PeerService, startClientSpan } from './client-span.ts';
export { kyselyQueryLog, summarizeSql, traceRawQuery } from './db-spans.ts';
export { registerHttpTelemetry } from './http-server.ts';
export { instruments, METRIC, meterProviderWithoutGauges } from './instruments.ts';
export { bearerMatches, PROMETHEUS_CONTENT_TYPE, registerMetricsRoute } from './metrics-route.ts';
export {
  DISABLED_TELEMETRY,
  installTelemetry,
  type PipelineOptions,
  startTelemetry,
  type Telemetry,
  type TelemetryRole,
} from './otel.ts';
export { activeTraceIds, errorTypeOf, inSpan, type InSpanOptions, recordFailure, tracer } from './tracing.ts';
