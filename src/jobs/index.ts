export { installJobSchema, JOB_SCHEMA } from './install-job-schema.ts';
export {
  createJobQueue,
  type JobQueue,
  type JobRun,
  type QueuePolicy,
  type SendOptions,
} from './job-queue.ts';
