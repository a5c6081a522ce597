export {
  createProvisioningEngine,
  type ProvisioningEngine,
  type RunView,
  RUN_QUEUE,
  type TemplatePlan,
} from './provisioning-engine.ts';
export type { ConformanceReport, Difference } from './conformance.ts';
export type { ProvisioningSpec } from './provisioning-spec.ts';
export type { LogEntry, RunError } from './run-repository.ts';
export type { PlannedOperation, StepDefinition } from './step-types.ts';
export { provisioningRoutes } from './routes/provisioning-routes.ts';
