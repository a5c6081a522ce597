// The tabs' one way to call Trellis's API: bearer token from the host, JSON in and out, RFC 9457
// problems turned into ApiError (with the field errors a form shows inline).

/** One invalid field of a 400 problem. */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldError[];
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    // `errors` is the problem's detail object: a list of field errors, or an object holding one.
    const raw = details.errors as unknown;
    const nested =
      raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const list = Array.isArray(raw) ? raw : Array.isArray(nested.errors) ? nested.errors : nested.violations;
    const errors = Array.isArray(list) ? list : [];
    this.fieldErrors = errors.flatMap((e: unknown) => {
      const item = e as {
        path?: unknown;
        pointer?: unknown;
        instancePath?: unknown;
        field?: unknown;
        message?: unknown;
        detail?: unknown;
      };
      const where = [item.path, item.pointer, item.instancePath, item.field].find(
        (v) => typeof v === 'string',
      );
      const path = typeof where === 'string' ? where : '';
      const message =
        typeof item.message === 'string' ? item.message : typeof item.detail === 'string' ? item.detail : '';
      return message ? [{ path, message }] : [];
    });
  }
}

export type TokenSource = (options?: { refresh?: boolean }) => Promise<string>;

let tokenSource: TokenSource | undefined;

/** Installed once by the app shell when the host is known. */
export function setTokenSource(source: TokenSource): void {
  tokenSource = source;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Raw body (file upload); `body` is sent as JSON otherwise. */
  raw?: Blob | ArrayBuffer;
}

async function send(
  method: string,
  path: string,
  options: RequestOptions,
  refresh: boolean,
): Promise<Response> {
  if (!tokenSource) throw new Error('The API client is used before sign-in');
  const token = await tokenSource({ refresh });
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
  let body: Blob | ArrayBuffer | string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(`/api/v1${path}`, { method, headers, body, signal: options.signal });
}

/** The response, or an ApiError; a 401 is retried once with a fresh token. */
export async function apiResponse(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  let res = await send(method, path, options, false);
  if (res.status === 401) res = await send(method, path, options, true);
  if (res.ok) return res;
  let problem: Record<string, unknown> = {};
  try {
    problem = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status
  }
  const message =
    (typeof problem.detail === 'string' && problem.detail) ||
    (typeof problem.title === 'string' && problem.title) ||
    `HTTP ${res.status}`;
  const code = typeof problem.code === 'string' ? problem.code : `http_${res.status}`;
  throw new ApiError(res.status, code, message, problem);
}

/** A JSON call: `api<Template[]>('GET', '/templates')`. 204 gives `undefined`. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await apiResponse(method, path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Query-string builder that drops empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
