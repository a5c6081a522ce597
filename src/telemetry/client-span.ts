import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { instruments } from './instruments.ts';
import { ATTR_URL_TEMPLATE, errorTypeOf, recordFailure, tracer } from './tracing.ts';

/** Which service an outgoing call goes to (a span attribute, and the 429 counter for Graph). */
export type PeerService = 'microsoft-graph' | 'bot-connector';

/** One outgoing HTTP request (one attempt: a resend is another span). */
export interface ClientSpan {
  /** `traceparent` (and `tracestate`) to send with the request. */
  readonly headers: Readonly<Record<string, string>>;
  /** Ends the span with the answer's status (or the failure); records duration and throttling. */
  end(outcome: { status: number } | { error: unknown }): void;
}

// Path words Graph defines (`channels`, `microsoft.graph.user`, `$value`, `v1.0`); anything else is
// data, dotted app ids such as `com.microsoft.teamspace.tab.web` included.
const KEPT = /^(?:\$?[A-Za-z]+|microsoft\.graph\.[A-Za-z.]+|v\d+(?:\.\d+)?|beta)$/;

/**
 * The path of a Graph URL with ids, names and path-addressed items replaced, so that spans and
 * metrics group by operation and carry no identifiers: `/v1.0/teams/{id}/channels/{id}`,
 * `/v1.0/drives/{id}/items/{id}:{path}:/content`.
 */
export function graphUrlTemplate(pathname: string): string {
  const addressed = pathname.replace(/:\/.*:(?=\/|$)/, ':{path}:');
  return addressed
    .split('/')
    .map((segment) => {
      if (segment === '' || KEPT.test(segment)) return segment;
      return segment.endsWith(':{path}:') ? '{id}:{path}:' : '{id}';
    })
    .join('/');
}

/**
 * Starts a CLIENT span for one HTTP request leaving Trellis, child of the active span. Its duration
 * feeds `http.client.request.duration`; a Graph 429 counts in `trellis.graph.throttled`.
 */
export function startClientSpan(input: {
  method: string;
  url: URL;
  peer: PeerService;
  /** The URL's path with identifiers replaced (see `graphUrlTemplate`). */
  template: string;
  /** 0 for the first attempt of a call, then 1, 2 … */
  resendCount: number;
}): ClientSpan {
  const started = performance.now();
  const port = Number(input.url.port) || (input.url.protocol === 'https:' ? 443 : 80);
  const common = {
    [ATTR_HTTP_REQUEST_METHOD]: input.method,
    [ATTR_SERVER_ADDRESS]: input.url.hostname,
    [ATTR_SERVER_PORT]: port,
    [ATTR_URL_TEMPLATE]: input.template,
  };
  const parent = context.active();
  const span: Span = tracer().startSpan(
    `${input.method} ${input.template}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...common,
        [ATTR_URL_SCHEME]: input.url.protocol.replace(':', ''),
        'peer.service': input.peer,
        ...(input.resendCount > 0 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: input.resendCount } : {}),
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  let ended = false;
  return {
    headers,
    end(outcome) {
      if (ended) return;
      ended = true;
      const seconds = (performance.now() - started) / 1000;
      if ('status' in outcome) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
        if (outcome.status >= 400) {
          span.setAttribute(ATTR_ERROR_TYPE, String(outcome.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        if (outcome.status === 429 && input.peer === 'microsoft-graph') instruments().graphThrottled.add(1);
        instruments().httpClientDuration.record(seconds, {
          ...common,
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: outcome.status,
        });
      } else {
        recordFailure(span, outcome.error);
        instruments().httpClientDuration.record(seconds, {
          ...common,
          [ATTR_ERROR_TYPE]: errorTypeOf(outcome.error),
        });
      }
      span.end();
    },
  };
}
