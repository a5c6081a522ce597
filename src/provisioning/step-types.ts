import type { TenantGraph } from '../graph/index.ts';
import type { ProvisioningSpec } from './provisioning-spec.ts';

/** One Graph operation a step would perform: what `plan` lists, with nothing written. */
export interface PlannedOperation {
  step: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Graph path relative to /v1.0, with `{teamId}`-style placeholders for ids not known yet. */
  path: string;
  description: string;
  /** Set when Graph is known to refuse this with application permissions, or a pre-check found a problem. */
  warning?: string;
}

/** A Graph object a run produced, under its stable key. */
export interface RecordedObject {
  key: string;
  kind: string;
  graphId: string;
  data: Record<string, unknown> | null;
}

/** What a step sees: the frozen spec, Graph, the objects recorded so far and the run's log. */
export interface StepContext {
  readonly tenantId: string;
  readonly runId: string;
  readonly spec: ProvisioningSpec;
  readonly graph: TenantGraph;
  readonly signal: AbortSignal;
  /** The recorded object under `key`, if any. */
  object(key: string): RecordedObject | undefined;
  /** Records (or replaces) what a step produced, durably, before the step goes on. */
  record(object: RecordedObject): Promise<void>;
  /** Forgets a recorded object (the conformance check found it gone). */
  forget(key: string): Promise<void>;
  /** Appends to the run's human-readable log. */
  log(message: string, data?: Record<string, unknown>): Promise<void>;
  warn(message: string, data?: Record<string, unknown>): Promise<void>;
  /** Bytes of an asset of the pinned template version. */
  asset(name: string): Promise<{ data: Buffer; contentType: string; sha256: string }>;
  /** Posts a message in a channel as the Trellis bot; returns the activity id. */
  postToChannel(channelId: string, post: ProvisioningSpec['welcomePosts'][number]): Promise<string>;
  /** The team's id (the group's), once the group exists. @throws when asked earlier */
  teamId(): string;
}

/** How often a step is tried before the run fails, and how long to wait between tries. */
export interface StepRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A step of the engine: named, versioned, retried, idempotent (it looks before it creates). */
export interface StepDefinition {
  name: string;
  /** Bumped when what the step does changes: a run records which version did each step. */
  version: number;
  /** Human-readable, for the log and the progress bar. */
  title: string;
  /** Share of the progress bar. */
  weight: number;
  retry: StepRetryPolicy;
  /** The idempotency key of this step in a run: rerunning it with the same key creates nothing twice. */
  idempotencyKey(runId: string): string;
  run(ctx: StepContext): Promise<void>;
  plan(spec: ProvisioningSpec): PlannedOperation[];
}

/**
 * Thrown by a step that must wait for Graph (replication lag, a team not ready yet): the run sleeps and
 * the step runs again, without counting as a failure until its time budget is spent.
 */
export class StepWait extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = 'StepWait';
    this.delayMs = delayMs;
  }
}
