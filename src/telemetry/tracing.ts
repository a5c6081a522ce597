import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

/** The instrumentation scope of every span and instrument Trellis records. */
export const INSTRUMENTATION_SCOPE = 'trellis';

/**
 * Semantic-convention names still marked incubating: the package advises copying them rather than
 * importing its incubating entry point.
 */
export const ATTR_URL_TEMPLATE = 'url.template';
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_HOST_NAME = 'host.name';

/** Trellis's tracer: a no-op until `startTelemetry` installs a tracer provider. */
export function tracer(): Tracer {
  return trace.getTracer(INSTRUMENTATION_SCOPE);
}

/** A short, low-cardinality name for what failed: a Graph code, an AppError code, or the class name. */
export function errorTypeOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const { graphCode, code, name } = error as { graphCode?: unknown; code?: unknown; name?: unknown };
    if (typeof graphCode === 'string' && graphCode) return graphCode;
    if (typeof code === 'string' && code) return code;
    if (typeof name === 'string' && name) return name;
  }
  return 'Error';
}

/** Marks a span failed: the exception event, ERROR status and `error.type`. */
export function recordFailure(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
  span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(error));
}

/** Options of a span that `inSpan` starts. */
export interface InSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context by default. */
  parent?: Context;
  /** Errors that are outcomes rather than failures (a step that waits, a job handed back). */
  expected?: (error: unknown) => boolean;
}

/** Runs `fn` with a new span as the active one; a failure is recorded on it, then rethrown. */
export async function inSpan<T>(
  name: string,
  options: InSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    if (options.expected?.(error)) span.setAttribute('trellis.outcome', errorTypeOf(error));
    else recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The active span, when it is being recorded (sampled and a provider installed). */
export function recordingSpan(ctx: Context = context.active()): Span | undefined {
  const span = trace.getSpan(ctx);
  return span?.isRecording() ? span : undefined;
}

/** Ids of the active span for log lines (`trace_id`, `span_id`), or undefined outside any trace. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
}
