/** A Graph failure, rendered as `{error:{code,message,innerError:{date,request-id,client-request-id}}}`. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Graph's error body; `date` is UTC without fraction or zone designator, as Graph writes it. */
export function errorBody(
  code: string,
  message: string,
  ids: { requestId: string; clientRequestId: string },
  now = new Date(),
): { error: { code: string; message: string; innerError: Record<string, string> } } {
  return {
    error: {
      code,
      message,
      innerError: {
        date: now.toISOString().slice(0, 19),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
}

/** The errors Graph answers most, with its codes and wording. */
export const graphErrors = {
  badRequest: (message: string) => new GraphError(400, 'BadRequest', message),
  invalidRequest: (message: string) => new GraphError(400, 'invalidRequest', message),
  directoryBadRequest: (message: string) => new GraphError(400, 'Request_BadRequest', message),
  unsupportedQuery: (message = 'Unsupported Query.') =>
    new GraphError(400, 'Request_UnsupportedQuery', message),
  directoryNotFound: (id: string) =>
    new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  notFound: (message: string) => new GraphError(404, 'NotFound', message),
  itemNotFound: (message = 'The resource could not be found.') =>
    new GraphError(404, 'itemNotFound', message),
  conflict: (code: string, message: string) => new GraphError(409, code, message),
  forbidden: (message: string) => new GraphError(403, 'Forbidden', message),
  preconditionFailed: (message = 'The If-Match header contains an out-of-date etag.') =>
    new GraphError(412, 'PreconditionFailed', message),
};
