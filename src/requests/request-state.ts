import type { RequestStatus } from '../db/index.ts';
import { AppError, ErrorCode } from '../errors/index.ts';

/**
 * The request state machine. Provisioning states are driven by the engine; the rest by people.
 * draft → pending_approval → approved → provisioning → completed | completed_with_drift | failed,
 * with rejected, cancelled and expired as ends; a failed run may be retried (failed → provisioning).
 */
const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  draft: ['pending_approval', 'approved', 'cancelled'],
  pending_approval: ['approved', 'rejected', 'cancelled', 'expired'],
  approved: ['provisioning', 'cancelled'],
  provisioning: ['completed', 'completed_with_drift', 'failed', 'cancelled'],
  failed: ['provisioning', 'cancelled'],
  completed: [],
  completed_with_drift: ['completed'],
  rejected: [],
  cancelled: [],
  expired: [],
};

export const REQUEST_STATUSES = Object.keys(TRANSITIONS) as RequestStatus[];

/** True for states nothing but the engine or nobody moves on from. */
export function isClosed(status: RequestStatus): boolean {
  return ['completed', 'completed_with_drift', 'rejected', 'cancelled', 'expired'].includes(status);
}

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** @throws AppError conflict (details.from, details.to) when the move is not allowed. */
export function assertTransition(from: RequestStatus, to: RequestStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError(ErrorCode.Conflict, `A request that is ${from} cannot become ${to}`, {
      details: { from, to, allowed: TRANSITIONS[from] },
    });
  }
}
