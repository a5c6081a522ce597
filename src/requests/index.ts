export { createRequestService, type RequestFilter, type RequestService } from './request-service.ts';
export type { RequestDeps } from './request-context.ts';
export { REQUEST_STATUSES, assertTransition, canTransition, isClosed } from './request-state.ts';
export type {
  ActivityView,
  ApproverSpec,
  CreateRequestInput,
  RequestEdits,
  RequestPreview,
  RequestTemplateDocument,
  RequestView,
  ResolvedApprover,
  TemplatePort,
} from './request-types.ts';
export type { SweepReport } from './sweep-requests.ts';
export { approvalRoutes } from './routes/approval-routes.ts';
export { requestRoutes } from './routes/request-routes.ts';
