import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isAppError } from '../errors/index.ts';
import { GraphError, isGraphError } from './graph-error.ts';

test("Graph statuses map to Trellis's error codes, keeping Graph's code and request id", () => {
  const cases: [number, ErrorCode][] = [
    [401, ErrorCode.Forbidden],
    [403, ErrorCode.Forbidden],
    [404, ErrorCode.NotFound],
    [409, ErrorCode.Conflict],
    [412, ErrorCode.Conflict],
    [400, ErrorCode.BadRequest],
    [429, ErrorCode.Unavailable],
    [503, ErrorCode.Unavailable],
    [0, ErrorCode.Unavailable],
  ];
  for (const [status, code] of cases) {
    const error = new GraphError({ status, code: 'X', message: 'm', requestId: 'r-1' });
    assert.equal(error.code, code, String(status));
    assert.ok(isAppError(error));
    assert.ok(isGraphError(error, status));
    assert.equal(error.graphCode, 'X');
    assert.equal(error.details?.graphRequestId, 'r-1');
  }
});

test('a throttled GraphError tells API callers when to come back', () => {
  const error = new GraphError({
    status: 429,
    code: 'TooManyRequests',
    message: 'later',
    retryAfterMs: 2500,
  });
  assert.equal(error.retryAfterMs, 2500);
  assert.deepEqual(error.headers, { 'retry-after': '3' });
  assert.equal(
    new GraphError({ status: 404, code: 'NotFound', message: 'x', retryAfterMs: 1000 }).headers,
    undefined,
  );
});
