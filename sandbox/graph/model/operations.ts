import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { guid, type Ids } from '../http/ids.ts';
import type { GraphState, OperationRecord, OperationType } from '../state.ts';

/** Records an async operation that succeeds `durationMs` from now (a tenth of it "notStarted"). */
export function startOperation(
  graph: GraphState,
  teamId: string,
  operationType: OperationType,
  durationMs: number,
  ids: Ids,
  now: Date,
): OperationRecord {
  const operation: OperationRecord = {
    id: guid(ids),
    teamId,
    operationType,
    createdDateTime: now.toISOString(),
    startsAt: new Date(now.getTime() + Math.round(durationMs / 10)).toISOString(),
    succeedsAt: new Date(now.getTime() + durationMs).toISOString(),
  };
  graph.operations.push(operation);
  return operation;
}

/** Where a 202 points: `/teams('{id}')/operations('{opId}')`, relative and without a version, as Graph sends it. */
export function operationLocation(operation: OperationRecord): string {
  return `/teams('${operation.teamId}')/operations('${operation.id}')`;
}

/** teamsAsyncOperation at `now`: notStarted → inProgress → succeeded. */
export function operationShape(
  operation: OperationRecord,
  now: Date,
): MicrosoftGraph.TeamsAsyncOperation & Record<string, unknown> {
  const t = now.getTime();
  const started = Date.parse(operation.startsAt) <= t;
  const succeeded = Date.parse(operation.succeedsAt) <= t;
  const status: MicrosoftGraph.TeamsAsyncOperationStatus = succeeded
    ? 'succeeded'
    : started
      ? 'inProgress'
      : 'notStarted';
  const lastActionDateTime = succeeded
    ? operation.succeedsAt
    : started
      ? operation.startsAt
      : operation.createdDateTime;
  return {
    id: operation.id,
    operationType: operation.operationType,
    createdDateTime: operation.createdDateTime,
    status,
    lastActionDateTime,
    attemptsCount: 1,
    targetResourceId: operation.teamId,
    targetResourceLocation: `/teams('${operation.teamId}')`,
    error: null,
  } satisfies MicrosoftGraph.TeamsAsyncOperation;
}
