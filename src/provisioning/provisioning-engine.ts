import { teamsAppIdOf } from '../teams/manifest/index.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request as undiciRequest } from 'undici';
import type { Config } from '../config.ts';
import type { Db, RunStatus } from '../db/index.ts';
import { AppError, ErrorCode, errors, isAppError } from '../errors/index.ts';
import type { OutboxEventBus } from '../events/index.ts';
import {
  type Directory,
  type GraphClient,
  GraphError,
  graphPath,
  listJoinedTeams,
  type SignedInUser,
  type TenantGraph,
} from '../graph/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { RequestService } from '../requests/index.ts';
import { graphUrlTemplate, inSpan, instruments, type Logger, startClientSpan } from '../telemetry/index.ts';
import type { TemplateDocument, TemplateService, TemplateView } from '../templates/index.ts';
import { type CapturedTemplate, captureTeam } from './capture/capture-team.ts';
import { type ConformanceReport, checkConformance } from './conformance.ts';
import { buildProvisioningSpec, type ProvisioningSpec } from './provisioning-spec.ts';
import {
  createRunRepository,
  type LogEntry,
  type RunError,
  type RunRow,
  type StepState,
} from './run-repository.ts';
import type { PlannedOperation, RecordedObject, StepContext, StepDefinition } from './step-types.ts';
import { StepWait } from './step-types.ts';
import { channelsStep } from './steps/channel-steps.ts';
import { appsStep, filesStep, labelStep, tabsStep, welcomeStep } from './steps/content-steps.ts';
import { plannerStep } from './steps/planner-steps.ts';
import { STEP_CALL } from './steps/step-helpers.ts';
import {
  createGroupStep,
  createTeamStep,
  membersStep,
  settingsStep,
  waitReadyStep,
} from './steps/team-steps.ts';

export const RUN_QUEUE = 'provisioning.run';
const BOT_SCOPE = 'https://api.botframework.com/.default';
/** Conformance rounds: after the first check, missing elements are recreated at most this often. */
const MAX_CONFORMANCE_ROUNDS = 2;
/** How long a step may wait on Graph (replication, readiness) in all before the run fails. */
const MAX_STEP_WAIT_MS = 20 * 60_000;
/** Longer waits hand the worker back and continue in a job scheduled for later. */
const MAX_INLINE_WAIT_MS = 30_000;
const PRECHECK = { name: 'pre-checks', title: 'Checking the request, names, people and apps', weight: 3 };
const CONFORMANCE = { name: 'conformance', title: 'Checking the team against its template', weight: 6 };

/** A run as the API and the tabs show it. */
export interface RunView {
  runId: string;
  requestId: string;
  status: RunStatus;
  progress: number;
  currentStep: string | null;
  teamId: string | null;
  attempt: number;
  template: { templateId: string; version: number };
  steps: {
    name: string;
    title: string;
    status: StepState['status'];
    attempts: number;
    version: number;
    startedAt: string | null;
    finishedAt: string | null;
    error: RunError | null;
  }[];
  error: RunError | null;
  conformance: ConformanceReport | null;
  cleanup: 'kept' | 'removed' | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface TemplatePlan {
  templateId: string;
  version: number;
  /** The names the plan used (given, or samples). */
  names: { displayName: string; mailNickname: string };
  operations: PlannedOperation[];
  /** Problems the plan found against the tenant (missing apps or people, a name taken). */
  warnings: string[];
}

export interface ProvisioningEngineDeps {
  config: Config;
  db: Db;
  jobs: JobQueue;
  events: OutboxEventBus;
  graph: GraphClient;
  directory: Directory;
  templates: TemplateService;
  requests: RequestService;
  log: Logger;
}

export interface ProvisioningEngine {
  readonly steps: readonly StepDefinition[];
  /**
   * One recovery sweep: wakes runs whose worker died and creates the runs of approved requests whose
   * event was lost. Idempotent; the cluster leader runs it periodically (src/runtime/leader.ts).
   */
  recover(): Promise<void>;
  stop(): Promise<void>;
  runOf(tenantId: string, requestId: string): Promise<RunView | null>;
  logOf(tenantId: string, runId: string, afterLogId: string | null, limit?: number): Promise<LogEntry[]>;
  /** Retries a failed run from its failed step. @throws AppError conflict unless failed */
  retry(tenantId: string, requestId: string, actor: { type: string; id: string }): Promise<RunView>;
  /** Cancels a failed or active run; `removeTeam` deletes the partial team. */
  cancel(
    tenantId: string,
    requestId: string,
    options: { removeTeam: boolean; reason?: string | undefined },
    actor: { type: string; id: string },
  ): Promise<RunView>;
  /** The Graph operations a template would need, with nothing written. */
  plan(
    tenantId: string,
    templateId: string,
    input: { version?: number | undefined; name?: string | undefined; requester?: string | undefined },
  ): Promise<TemplatePlan>;
  /**
   * Creates a template from an existing team (its content into the blob store as assets). With
   * `asUser`, only from a team that user owns or is a member of, checked with the user's own rights
   * (Graph on their behalf): Trellis's application permissions read every team in the tenant, and
   * capture must not let a catalog manager copy a private team they cannot see; nor its private and
   * shared channels they are not a member of, which are left out.
   * @throws AppError forbidden (not the user's team), consent_required (no consent to read their teams)
   */
  capture(
    tenantId: string,
    input: { teamId: string; slug: string; name: string; description?: string | undefined },
    actor: { type: 'user' | 'api_token' | 'system'; id: string; name?: string },
    asUser?: SignedInUser,
  ): Promise<{ template: TemplateView; warnings: string[] }>;
  /** Reads a team as a template without saving it (the CLI's --out). */
  captureDocument(
    tenantId: string,
    input: { teamId: string; slug: string; name: string },
  ): Promise<CapturedTemplate>;
  /** Executes (a slice of) one run; what the job handler calls. */
  execute(tenantId: string, runId: string, signal: AbortSignal): Promise<void>;
}

function stepStates(row: RunRow): Record<string, StepState> {
  return structuredClone((row.steps ?? {}) as Record<string, StepState>);
}

function freshState(version: number): StepState {
  return {
    status: 'pending',
    attempts: 0,
    version,
    waitedMs: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
  };
}

function toRunError(error: unknown, step: string | null): RunError {
  if (error instanceof GraphError) {
    return {
      code: 'graph_error',
      message: error.message,
      step,
      graphStatus: error.status,
      graphCode: error.graphCode,
      graphRequestId: error.requestId,
    };
  }
  if (isAppError(error)) {
    return {
      code: error.code,
      message: error.message,
      step,
      graphStatus: null,
      graphCode: null,
      graphRequestId: null,
    };
  }
  return {
    code: 'step_failed',
    message: (error as Error)?.message ?? String(error),
    step,
    graphStatus: null,
    graphCode: null,
    graphRequestId: null,
  };
}

/** `trellis.provisioning.duration`: from the run's first step (or its creation) to its end. */
function recordRunDuration(row: RunRow, status: string): void {
  const from = new Date(row.started_at ?? row.created_at).getTime();
  const to = row.finished_at ? new Date(row.finished_at).getTime() : Date.now();
  instruments().provisioningDuration.record(Math.max(0, to - from) / 1000, { status });
}

/** Failures no retry can mend: Graph refused the request itself, or the pre-checks found a problem. */
function isFinal(error: unknown): boolean {
  if (error instanceof GraphError) {
    if (['NotConfigured', 'InvalidTenant', 'ForeignUrl', 'InsecureRedirect'].includes(error.graphCode))
      return true;
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }
  return isAppError(error) && error.code !== ErrorCode.Unavailable && error.code !== ErrorCode.Internal;
}

function backoff(attempt: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** A TenantGraph whose every call carries the run's abort signal. */
/**
 * A TenantGraph whose every call carries the run's abort signal, and whose writes first check that the
 * worker still surely holds its lease (`guard`): a worker that stalled past its lease must not write
 * beside the worker that took the run over.
 */
function withSignal(graph: TenantGraph, signal: AbortSignal, guard: () => void): TenantGraph {
  return {
    tenantId: graph.tenantId,
    request: (m, p, o) =>
      graph.request(m, p, { ...o, signal, ...(m === 'GET' ? {} : { beforeAttempt: guard }) }),
    send: (m, p, o) => graph.send(m, p, { ...o, signal, ...(m === 'GET' ? {} : { beforeAttempt: guard }) }),
    list: (p, q, o) => graph.list(p, q, { ...o, signal }),
    all: (p, q, o) => graph.all(p, q, { ...o, signal }),
  };
}

export function createProvisioningEngine(deps: ProvisioningEngineDeps): ProvisioningEngine {
  const { config, db, jobs, log } = deps;
  const runs = createRunRepository(db);
  const processId = `${hostname()}:${process.pid}`;
  /** Each execution holds the lease under its own name: a second job for a run never runs beside it. */
  const newOwner = () => `${processId}:${randomUUID().slice(0, 8)}`;
  const leaseMs = config.provisioning.leaseSeconds * 1000;
  // The Trellis app as the org catalog knows it: its manifest id (TEAMS_APP_ID, else the client id).
  const trellisManifestId = teamsAppIdOf(config) ?? null;
  const STEPS: readonly StepDefinition[] = [
    createGroupStep,
    createTeamStep,
    waitReadyStep,
    settingsStep,
    membersStep,
    channelsStep,
    appsStep({ trellisManifestId }),
    plannerStep,
    tabsStep,
    filesStep,
    labelStep,
    welcomeStep,
  ];
  const totalWeight = PRECHECK.weight + CONFORMANCE.weight + STEPS.reduce((n, s) => n + s.weight, 0);
  let connector: Agent | undefined;

  const connectorAgent = (): Agent => {
    if (!connector) {
      const ca = config.m365.caFile ? readFileSync(config.m365.caFile, 'utf8') : undefined;
      connector = new Agent(ca ? { connect: { ca: [...rootCertificates, ca] } } : {});
    }
    return connector;
  };

  const progressOf = (states: Record<string, StepState>): number => {
    let done = states[PRECHECK.name]?.status === 'done' ? PRECHECK.weight : 0;
    for (const s of STEPS) if (['done', 'skipped'].includes(states[s.name]?.status ?? '')) done += s.weight;
    if (states[CONFORMANCE.name]?.status === 'done') done += CONFORMANCE.weight;
    return Math.min(100, Math.floor((done / totalWeight) * 100));
  };

  const view = (row: RunRow): RunView => {
    const states = stepStates(row);
    const all = [
      { name: PRECHECK.name, title: PRECHECK.title, version: 1 },
      ...STEPS.map((s) => ({ name: s.name, title: s.title, version: s.version })),
      { name: CONFORMANCE.name, title: CONFORMANCE.title, version: 1 },
    ];
    return {
      runId: row.run_id,
      requestId: row.request_id,
      status: row.status,
      progress: row.progress,
      currentStep: row.current_step,
      teamId: row.team_id,
      attempt: row.attempt,
      template: { templateId: row.template_id, version: row.template_version },
      steps: all.map((s) => {
        const st = states[s.name] ?? freshState(s.version);
        return {
          name: s.name,
          title: s.title,
          status: st.status,
          attempts: st.attempts,
          version: st.version,
          startedAt: st.startedAt,
          finishedAt: st.finishedAt,
          error: st.error,
        };
      }),
      error: (row.error as RunError | null) ?? null,
      conformance: (row.conformance as ConformanceReport | null) ?? null,
      cleanup: row.cleanup,
      createdAt: new Date(row.created_at).toISOString(),
      startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
      finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  };

  const wake = (tenantId: string, runId: string, startAfter?: Date) =>
    jobs.send(RUN_QUEUE, { tenantId, runId }, { singletonKey: runId, ...(startAfter ? { startAfter } : {}) });

  async function entraTenantOf(tenantId: string): Promise<string> {
    const row = await db.withTenant(tenantId, (tx) =>
      tx.selectFrom('tenants').select('entra_tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst(),
    );
    if (!row?.entra_tenant_id) {
      throw new AppError(
        ErrorCode.Conflict,
        'This tenant is not connected to Microsoft 365 (no Entra tenant id): onboard it first',
      );
    }
    return row.entra_tenant_id;
  }

  /** Pre-checks: the request is still approved, names are free, people and apps exist; freezes the spec. */
  async function precheck(row: RunRow, graph: TenantGraph): Promise<ProvisioningSpec> {
    const entraTenantId = await entraTenantOf(row.tenant_id);
    const request = await db.withTenant(row.tenant_id, (tx) =>
      tx.selectFrom('requests').selectAll().where('request_id', '=', row.request_id).executeTakeFirst(),
    );
    if (!request) throw errors.notFound(`Request ${row.request_id}`);
    if (!['approved', 'provisioning', 'failed'].includes(request.status)) {
      throw new AppError(
        ErrorCode.Conflict,
        `The request is ${request.status}: only approved requests are provisioned`,
      );
    }
    const version = await deps.templates.getVersion(row.tenant_id, row.template_id, row.template_version);
    const directory = deps.directory.forTenant(entraTenantId);
    const spec = await buildProvisioningSpec({
      entraTenantId,
      request: {
        requestId: request.request_id,
        requesterId: request.requester_id,
        name: request.requested_name,
        description: request.description,
        welcomeMessage: request.welcome_message,
        names: (request.names as Record<string, string> | null) ?? null,
        owners: request.owners,
        members: request.members,
      },
      template: {
        templateId: row.template_id,
        slug: request.template_slug,
        version: row.template_version,
        document: version.document as TemplateDocument,
      },
      directory,
      now: new Date(),
    });
    const taken = await directory.findGroupsByName({ displayName: '', mailNickname: spec.team.mailNickname });
    if (taken.some((g) => (g.mailNickname ?? '').toLowerCase() === spec.team.mailNickname.toLowerCase())) {
      throw new AppError(
        ErrorCode.Conflict,
        `The mail nickname ${spec.team.mailNickname} is taken by another group`,
        { details: { mailNickname: spec.team.mailNickname } },
      );
    }
    const missingApps = await missingCatalogApps(graph, spec);
    if (missingApps.length > 0) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        `Apps not in the tenant's Teams app catalog: ${missingApps.join(', ')}`,
        { details: { apps: missingApps } },
      );
    }
    const missingAssets = [
      spec.team.picture,
      ...spec.channels.flatMap((c) => c.files.map((f) => f.asset)),
    ].filter((a): a is string => !!a && !version.assets.some((x) => x.name === a));
    if (missingAssets.length > 0) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        `Template assets missing from version ${row.template_version}: ${missingAssets.join(', ')}`,
        { details: { assets: missingAssets } },
      );
    }
    return spec;
  }

  async function missingCatalogApps(graph: TenantGraph, spec: ProvisioningSpec): Promise<string[]> {
    const ids = new Set([
      ...spec.apps.map((a) => a.teamsAppId),
      ...spec.channels.flatMap((c) => c.tabs.map((t) => t.teamsAppId)),
    ]);
    const missing: string[] = [];
    for (const id of ids) {
      try {
        await graph.request('GET', graphPath`/appCatalogs/teamsApps/${id}`, {
          ...STEP_CALL,
          query: { select: ['id'] },
        });
      } catch (error) {
        if (error instanceof GraphError && error.status === 404) missing.push(id);
        else throw error;
      }
    }
    return missing;
  }

  async function postToChannel(
    entraTenantId: string,
    channelId: string,
    post: ProvisioningSpec['welcomePosts'][number],
  ): Promise<string> {
    const token = await deps.graph.accessToken(entraTenantId, BOT_SCOPE);
    const text = post.subject ? `**${post.subject}**\n\n${post.content}` : post.content;
    const base = config.m365.botServiceUrl.endsWith('/')
      ? config.m365.botServiceUrl
      : `${config.m365.botServiceUrl}/`;
    const url = new URL(`${base}v3/conversations`);
    const span = startClientSpan({
      method: 'POST',
      url,
      peer: 'bot-connector',
      template: graphUrlTemplate(url.pathname),
      resendCount: 0,
    });
    let res: Awaited<ReturnType<typeof undiciRequest>>;
    let body: string;
    try {
      res = await undiciRequest(url, {
        method: 'POST',
        dispatcher: connectorAgent(),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...span.headers },
        body: JSON.stringify({
          isGroup: true,
          tenantId: entraTenantId,
          channelData: { channel: { id: channelId }, tenant: { id: entraTenantId } },
          activity: { type: 'message', text, textFormat: post.contentType === 'html' ? 'xml' : 'markdown' },
        }),
        signal: AbortSignal.timeout(30_000),
      });
      body = await res.body.text();
    } catch (error) {
      span.end({ error });
      throw error;
    }
    span.end({ status: res.statusCode });
    if (res.statusCode >= 300) {
      throw new GraphError({
        status: res.statusCode,
        code: 'ConnectorError',
        message: `the Bot Connector answered ${res.statusCode}: ${body.slice(0, 200)}`,
        method: 'POST',
        path: '/v3/conversations',
      });
    }
    const parsed = JSON.parse(body) as { activityId?: string; id?: string };
    return parsed.activityId ?? parsed.id ?? 'posted';
  }

  async function finish(
    owner: string,
    row: RunRow,
    status: 'completed' | 'completed_with_drift' | 'failed' | 'cancelled',
    changes: {
      error?: RunError;
      conformance?: ConformanceReport;
      states: Record<string, StepState>;
      reason?: string;
    },
  ) {
    const ok = await runs.update(row.tenant_id, row.run_id, owner, {
      status,
      finished_at: new Date(),
      current_step: null,
      steps: changes.states,
      progress: status === 'failed' || status === 'cancelled' ? progressOf(changes.states) : 100,
      ...(changes.error ? { error: changes.error } : {}),
      ...(changes.conformance ? { conformance: changes.conformance } : {}),
    });
    if (!ok) return;
    const ended = await runs.get(row.tenant_id, row.run_id);
    recordRunDuration(ended ?? row, status);
    const teamId = ended?.team_id ?? undefined;
    const reason =
      changes.reason ??
      (changes.error
        ? `${changes.error.step ?? 'run'}: ${changes.error.message}`
        : status === 'completed_with_drift'
          ? `${changes.conformance?.differences.length ?? 0} differences from the template`
          : undefined);
    await deps.requests.transition(row.tenant_id, row.request_id, status, {
      ...(teamId ? { teamId } : {}),
      ...(reason ? { reason: reason.slice(0, 1000) } : {}),
    });
  }

  async function removeTeam(
    tenantId: string,
    runId: string,
    graph: TenantGraph,
  ): Promise<'removed' | 'kept'> {
    const group = (await runs.objects(tenantId, runId)).find((o) => o.key === 'group');
    if (!group) return 'kept';
    try {
      await graph.request('DELETE', graphPath`/groups/${group.graphId}`, STEP_CALL);
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 404)) throw error;
    }
    return 'removed';
  }

  /** Runs the steps left, until done, failed, waiting, out of its time slice, or aborted. */
  async function drive(
    owner: string,
    initial: RunRow,
    signal: AbortSignal,
    sliceEnd: number,
    guard: () => void,
  ): Promise<void> {
    let row = initial;
    const { tenant_id: tenantId, run_id: runId } = row;
    const states = stepStates(row);
    const objects = new Map<string, RecordedObject>(
      (await runs.objects(tenantId, runId)).map((o) => [o.key, o]),
    );
    const save = async (changes: Parameters<typeof runs.update>[3]) => {
      if (!(await runs.update(tenantId, runId, owner, changes))) throw new LeaseLost();
    };
    const appendLog = (
      level: LogEntry['level'],
      step: string | null,
      message: string,
      data?: Record<string, unknown>,
    ) => runs.log(tenantId, runId, { level, step, message, data });

    if (row.status === 'queued' || row.status === 'waiting') {
      const first = row.started_at === null;
      await save({ status: 'running', wake_at: null, ...(first ? { started_at: new Date() } : {}) });
      await deps.requests.transition(tenantId, row.request_id, 'provisioning');
      if (first) await appendLog('info', null, 'Provisioning started');
    }

    let spec = row.spec as ProvisioningSpec | null;
    const entraTenantId = spec?.entraTenantId ?? (await entraTenantOf(tenantId));
    const graph = withSignal(deps.graph.forTenant(entraTenantId), signal, guard);
    let currentStep: string | null = null;

    const context = (s: ProvisioningSpec, step: string): StepContext => ({
      tenantId,
      runId,
      spec: s,
      graph,
      signal,
      object: (key) => objects.get(key),
      async record(object) {
        await runs.record(tenantId, runId, object);
        objects.set(object.key, object);
        if (object.key === 'group') await save({ team_id: object.graphId });
      },
      async forget(key) {
        await runs.forget(tenantId, runId, key);
        objects.delete(key);
      },
      log: (message, data) => appendLog('info', step, message, data),
      warn: (message, data) => appendLog('warn', step, message, data),
      asset: async (name) => {
        const a = await deps.templates.getAsset(tenantId, s.template.templateId, name, s.template.version);
        return { data: a.data, contentType: a.contentType, sha256: a.sha256 };
      },
      postToChannel: (channelId, post) => {
        guard();
        return postToChannel(s.entraTenantId, channelId, post);
      },
      teamId: () => {
        const group = objects.get('group');
        if (!group) throw new Error('The group has not been created yet');
        return group.graphId;
      },
    });

    /** One step with its retries; returns false when the run must stop here (failed, waiting, yielded). */
    const runStep = async (
      name: string,
      title: string,
      version: number,
      retry: StepDefinition['retry'],
      body: () => Promise<void>,
    ): Promise<boolean> => {
      const state = states[name] ?? freshState(version);
      states[name] = state;
      for (;;) {
        if (signal.aborted) throw signal.reason;
        if (Date.now() > sliceEnd) {
          await save({ steps: states });
          await appendLog('info', name, 'Handing over to a fresh job (time slice used)');
          await wake(tenantId, runId);
          return false;
        }
        currentStep = name;
        state.status = 'running';
        state.attempts++;
        state.version = version;
        state.startedAt ??= new Date().toISOString();
        await save({ current_step: name, steps: states });
        if (state.attempts === 1) await appendLog('info', name, title);
        try {
          await inSpan(
            `provisioning.step ${name}`,
            {
              attributes: {
                'trellis.step.name': name,
                'trellis.step.attempt': state.attempts,
                'trellis.step.version': version,
              },
              // Waiting for Graph and handing the run over are how steps work, not failures.
              expected: (e) => e instanceof StepWait || e instanceof LeaseLost || signal.aborted,
            },
            body,
          );
          state.status = 'done';
          state.finishedAt = new Date().toISOString();
          state.error = null;
          await save({ steps: states, progress: progressOf(states) });
          return true;
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (error instanceof LeaseLost) throw error;
          let delay: number;
          if (error instanceof StepWait) {
            state.attempts--;
            state.waitedMs += error.delayMs;
            if (state.waitedMs > MAX_STEP_WAIT_MS) {
              state.status = 'failed';
              state.error = {
                code: 'timeout',
                message: `${error.message} after ${Math.round(state.waitedMs / 60_000)} minutes`,
                step: name,
                graphStatus: null,
                graphCode: null,
                graphRequestId: null,
              };
              await appendLog('error', name, state.error.message);
              await finish(owner, row, 'failed', { error: state.error, states });
              return false;
            }
            delay = error.delayMs;
          } else {
            state.error = toRunError(error, name);
            if (isFinal(error) || state.attempts >= retry.maxAttempts) {
              state.status = 'failed';
              await appendLog('error', name, `${title} failed: ${state.error.message}`, {
                attempts: state.attempts,
                ...(state.error.graphRequestId ? { graphRequestId: state.error.graphRequestId } : {}),
              });
              await finish(owner, row, 'failed', { error: state.error, states });
              return false;
            }
            const retryAfter = error instanceof GraphError ? error.retryAfterMs : null;
            delay = retryAfter ?? backoff(state.attempts, retry.baseDelayMs, retry.maxDelayMs);
            await appendLog(
              'warn',
              name,
              `${title}: ${state.error.message}; retrying in ${Math.ceil(delay / 1000)} s (attempt ${state.attempts + 1} of ${retry.maxAttempts})`,
            );
          }
          state.status = 'pending';
          if (delay > MAX_INLINE_WAIT_MS) {
            const at = new Date(Date.now() + delay);
            await save({ status: 'waiting', wake_at: at, steps: states });
            await wake(tenantId, runId, at);
            return false;
          }
          await save({ steps: states });
          await sleep(delay, undefined, { signal });
        }
      }
    };

    try {
      if (!spec) {
        const ok = await runStep(
          PRECHECK.name,
          PRECHECK.title,
          1,
          { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 30_000 },
          async () => {
            spec = await precheck(row, graph);
            await save({ spec });
            await appendLog(
              'info',
              PRECHECK.name,
              `Team "${spec.team.displayName}" (${spec.team.mailNickname}) from ${spec.template.slug} v${spec.template.version}: ${spec.owners.length} owners, ${spec.members.length} members, ${spec.channels.length} channels`,
            );
          },
        );
        if (!ok) return;
      }
      const frozen = spec as unknown as ProvisioningSpec;
      for (;;) {
        for (const step of STEPS) {
          if (['done', 'skipped'].includes(states[step.name]?.status ?? '')) continue;
          const ok = await runStep(step.name, step.title, step.version, step.retry, () =>
            step.run(context(frozen, step.name)),
          );
          if (!ok) return;
        }
        let report: ConformanceReport | undefined;
        const ok = await runStep(
          CONFORMANCE.name,
          CONFORMANCE.title,
          1,
          { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 30_000 },
          async () => {
            report = await checkConformance(context(frozen, CONFORMANCE.name), {
              trellisApp: trellisManifestId !== null,
            });
          },
        );
        if (!ok || !report) return;
        row = (await runs.get(tenantId, runId)) ?? row;
        const rounds = row.conformance_rounds;
        const fixable = report.differences.filter((d) => d.fixable);
        if (report.matches) {
          await appendLog(
            'info',
            CONFORMANCE.name,
            `The team matches its template (${report.checked} elements checked)`,
          );
          await finish(owner, row, 'completed', { conformance: report, states });
          return;
        }
        if (fixable.length > 0 && rounds < MAX_CONFORMANCE_ROUNDS) {
          await appendLog(
            'warn',
            CONFORMANCE.name,
            `${fixable.length} elements missing or different: ${fixable
              .slice(0, 5)
              .map((d) => d.path)
              .join(', ')}${fixable.length > 5 ? ' …' : ''}; recreating them`,
            { differences: fixable.map((d) => d.path) },
          );
          for (const d of fixable) for (const key of d.forget) await context(frozen, d.step).forget(key);
          for (const stepName of new Set(fixable.map((d) => d.step))) {
            const s = states[stepName];
            if (s) s.status = 'pending';
          }
          const c = states[CONFORMANCE.name];
          if (c) c.status = 'pending';
          await save({
            conformance: report,
            conformance_rounds: rounds + 1,
            steps: states,
            progress: progressOf(states),
          });
          continue;
        }
        for (const d of report.differences) {
          await appendLog(
            'warn',
            CONFORMANCE.name,
            `Drift: ${d.path} (${d.kind})${d.reason ? `: ${d.reason}` : ''}`,
          );
        }
        await finish(owner, row, 'completed_with_drift', { conformance: report, states });
        return;
      }
    } catch (error) {
      if (error instanceof LeaseLost) return;
      if (signal.aborted) {
        await save({ steps: states, current_step: currentStep }).catch(() => undefined);
        throw signal.reason;
      }
      throw error;
    }
  }

  async function cancelNow(row: RunRow): Promise<void> {
    const entraTenantId =
      (row.spec as ProvisioningSpec | null)?.entraTenantId ?? (await entraTenantOf(row.tenant_id));
    const graph = deps.graph.forTenant(entraTenantId);
    const cleanup = row.cancel_remove_team ? await removeTeam(row.tenant_id, row.run_id, graph) : 'kept';
    const cancelled = await db.withTenant(row.tenant_id, (tx) =>
      runs.updateIf(tx, row.run_id, ['queued', 'running', 'waiting', 'failed'], {
        status: 'cancelled',
        finished_at: new Date(),
        cleanup,
        lease_owner: null,
        lease_expires_at: null,
        current_step: null,
      }),
    );
    if (cancelled) recordRunDuration(cancelled, 'cancelled');
    await runs.log(row.tenant_id, row.run_id, {
      level: 'warn',
      step: null,
      message:
        cleanup === 'removed'
          ? 'Cancelled; the partial team was deleted'
          : 'Cancelled; the partial team was kept',
    });
    await deps.requests.transition(row.tenant_id, row.request_id, 'cancelled', {
      reason: 'Provisioning cancelled by an administrator',
    });
  }

  /** One slice of a run, as a span (its steps are its children); stopping or losing the lease is no failure. */
  function execute(tenantId: string, runId: string, jobSignal: AbortSignal): Promise<void> {
    return inSpan(
      'provisioning.run',
      {
        attributes: { 'trellis.tenant.id': tenantId, 'trellis.run.id': runId },
        expected: (e) => e instanceof StopRequested || e instanceof LeaseLost,
      },
      () => executeSlice(tenantId, runId, jobSignal),
    );
  }

  async function executeSlice(tenantId: string, runId: string, jobSignal: AbortSignal): Promise<void> {
    const owner = newOwner();
    const asked = Date.now();
    const row = await runs.acquire(tenantId, runId, owner, leaseMs);
    if (!row) return;
    const controller = new AbortController();
    // The database's lease ends at least leaseMs after we asked; writes start only with half of it left.
    let validUntil = asked + leaseMs;
    const guard = () => {
      if (Date.now() > validUntil - leaseMs / 2) {
        const lost = new LeaseLost();
        controller.abort(lost);
        throw lost;
      }
    };
    const onJobAbort = () => controller.abort(new StopRequested());
    jobSignal.addEventListener('abort', onJobAbort, { once: true });
    let cancel = row.cancel_requested;
    const heartbeat = setInterval(
      () => {
        const renewing = Date.now();
        runs
          .renew(tenantId, runId, owner, leaseMs)
          .then((renewed) => {
            if (renewed) validUntil = renewing + leaseMs;
            if (!renewed) controller.abort(new LeaseLost());
            else if (renewed.cancel) {
              cancel = true;
              controller.abort(new StopRequested());
            }
          })
          .catch((error: unknown) => log.warn({ err: error, runId }, 'provisioning lease renewal failed'));
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      if (cancel) {
        await cancelNow(row);
        return;
      }
      await drive(owner, row, controller.signal, Date.now() + config.provisioning.sliceSeconds * 1000, guard);
    } catch (error) {
      if (cancel) {
        await cancelNow((await runs.get(tenantId, runId)) ?? row);
        return;
      }
      if (error instanceof StopRequested || error instanceof LeaseLost) {
        // Shutting down: the next worker (or this one after restart) goes on where this stopped.
        if (error instanceof StopRequested) await wake(tenantId, runId).catch(() => undefined);
        return;
      }
      log.error({ err: error, runId }, 'provisioning run interrupted by an unexpected error');
      throw error;
    } finally {
      clearInterval(heartbeat);
      jobSignal.removeEventListener('abort', onJobAbort);
      await runs.release(tenantId, runId, owner).catch(() => undefined);
    }
  }

  /** Creates the run of an approved request (once) and its first job, in one transaction. */
  async function createRun(tenantId: string, requestId: string): Promise<void> {
    await db.withTenant(tenantId, async (tx) => {
      // An integration-only tenant (no Microsoft 365 connection) has nothing to provision into.
      const tenant = await tx
        .selectFrom('tenants')
        .select('entra_tenant_id')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!tenant?.entra_tenant_id) return;
      const request = await tx
        .selectFrom('requests')
        .select(['template_id', 'template_version'])
        .where('request_id', '=', requestId)
        .executeTakeFirst();
      if (!request) return;
      const runId = randomUUID();
      const created = await runs.create(tx, {
        tenantId,
        runId,
        requestId,
        templateId: request.template_id,
        templateVersion: request.template_version,
      });
      if (created) await jobs.send(RUN_QUEUE, { tenantId, runId }, { tx, singletonKey: runId });
    });
  }

  async function recover(): Promise<void> {
    for (const orphan of await runs.orphans()) {
      await wake(orphan.tenant_id, orphan.run_id);
    }
    // The approval event normally creates the run; if its dispatch died with a worker, this does.
    for (const r of await runs.approvedWithoutRun(30)) await createRun(r.tenant_id, r.request_id);
  }

  jobs.define<{ tenantId: string; runId: string }>(
    RUN_QUEUE,
    {
      policy: 'short',
      retryLimit: 10,
      retryDelaySeconds: 5,
      expireInSeconds: config.provisioning.sliceSeconds * 3,
      concurrency: config.provisioning.concurrency,
    },
    async (job) => execute(job.data.tenantId, job.data.runId, job.signal),
  );

  // Every approved request gets its run, once, enqueued in the same transaction.
  deps.events.subscribeDurable('provisioning', async (event) => {
    if (event.type !== 'request.approved') return;
    await createRun(event.tenantId, event.subject.id);
  });

  return {
    steps: STEPS,
    recover,
    async stop() {
      await connector?.close();
    },
    async runOf(tenantId, requestId) {
      const row = await runs.byRequest(tenantId, requestId);
      return row ? view(row) : null;
    },
    logOf: (tenantId, runId, after, limit) => runs.logSince(tenantId, runId, after, limit),
    async retry(tenantId, requestId, actor) {
      const row = await runs.byRequest(tenantId, requestId);
      if (!row) throw errors.notFound(`Provisioning run of request ${requestId}`);
      if (row.status !== 'failed') {
        throw new AppError(
          ErrorCode.Conflict,
          `Only a failed run can be retried; this one is ${row.status}`,
          { details: { status: row.status } },
        );
      }
      const states = stepStates(row);
      for (const s of Object.values(states)) {
        if (s.status === 'failed' || s.status === 'running') {
          s.status = 'pending';
          s.attempts = 0;
          s.waitedMs = 0;
          s.error = null;
        }
      }
      const updated = await db.withTenant(tenantId, async (tx) => {
        const u = await runs.updateIf(tx, row.run_id, ['failed'], {
          status: 'queued',
          attempt: row.attempt + 1,
          steps: JSON.stringify(states),
          error: null,
          finished_at: null,
          wake_at: null,
          conformance_rounds: 0,
        });
        if (u) await jobs.send(RUN_QUEUE, { tenantId, runId: row.run_id }, { tx, singletonKey: row.run_id });
        return u;
      });
      if (!updated) throw new AppError(ErrorCode.Conflict, 'The run changed meanwhile; reload it');
      await runs.log(tenantId, row.run_id, {
        level: 'info',
        step: null,
        message: `Retry asked by ${actor.type} ${actor.id} (attempt ${updated.attempt}), from ${row.error ? ((row.error as RunError).step ?? 'the start') : 'the start'}`,
      });
      return view(updated);
    },
    async cancel(tenantId, requestId, options, actor) {
      const row = await runs.byRequest(tenantId, requestId);
      if (!row) throw errors.notFound(`Provisioning run of request ${requestId}`);
      if (!['queued', 'running', 'waiting', 'failed'].includes(row.status)) {
        throw new AppError(ErrorCode.Conflict, `A ${row.status} run cannot be cancelled`, {
          details: { status: row.status },
        });
      }
      const marked = await db.withTenant(tenantId, (tx) =>
        runs.updateIf(tx, row.run_id, ['queued', 'running', 'waiting', 'failed'], {
          cancel_requested: true,
          cancel_remove_team: options.removeTeam,
        }),
      );
      if (!marked) throw new AppError(ErrorCode.Conflict, 'The run finished meanwhile; reload it');
      await runs.log(tenantId, row.run_id, {
        level: 'warn',
        step: null,
        message: `Cancellation asked by ${actor.type} ${actor.id}${options.removeTeam ? ' (the partial team will be deleted)' : ''}${options.reason ? `: ${options.reason}` : ''}`,
      });
      // A run no worker holds is cancelled here; a running one stops at its next lease renewal.
      const owner = newOwner();
      const free = await runs.acquire(tenantId, row.run_id, owner, leaseMs).catch(() => undefined);
      if (free || marked.status === 'failed') {
        try {
          await cancelNow({ ...marked, cancel_remove_team: options.removeTeam });
        } finally {
          if (free) await runs.release(tenantId, row.run_id, owner);
        }
      }
      const after = await runs.byRequest(tenantId, requestId);
      return view(after ?? marked);
    },
    async plan(tenantId, templateId, input) {
      const template = await deps.templates.get(tenantId, templateId);
      const versionNumber = input.version ?? template.currentVersion;
      const version = await deps.templates.getVersion(tenantId, template.templateId, versionNumber);
      const entraTenantId = await entraTenantOf(tenantId);
      const directory = deps.directory.forTenant(entraTenantId);
      const graph = deps.graph.forTenant(entraTenantId);
      const warnings: string[] = [];
      const name = input.name ?? 'Sample';
      const slug =
        name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'sample';
      let requester = input.requester ?? null;
      if (!requester) {
        const owner = (version.document as TemplateDocument).permanentOwners.find((p) => p.type === 'user');
        requester = owner && owner.type === 'user' ? owner.user : null;
      }
      const doc = version.document as TemplateDocument;
      const spec = await buildProvisioningSpec({
        entraTenantId,
        request: {
          requestId: '00000000-0000-0000-0000-000000000000',
          requesterId: requester ?? 'token:plan',
          name,
          description: null,
          welcomeMessage: null,
          names: {
            displayName: name,
            mailNickname: slug,
            ...(doc.naming.welcomeMessage ? { welcomeMessage: `Welcome to ${name}` } : {}),
          },
          owners: [],
          members: [],
        },
        template: {
          templateId: template.templateId,
          slug: template.slug,
          version: versionNumber,
          document: doc,
        },
        directory,
        now: new Date(),
      }).catch((error: unknown) => {
        if (isAppError(error))
          throw new AppError(
            error.code,
            `The template cannot be provisioned in this tenant: ${error.message}`,
            { details: error.details ?? {} },
          );
        throw error;
      });
      for (const app of await missingCatalogApps(graph, spec))
        warnings.push(`App ${app} is not in the tenant's Teams app catalog`);
      const operations: PlannedOperation[] = [
        {
          step: PRECHECK.name,
          method: 'GET',
          path: '/groups',
          description: 'Check that the mail nickname is free',
        },
        ...STEPS.flatMap((s) => s.plan(spec)),
        {
          step: CONFORMANCE.name,
          method: 'GET',
          path: '/teams/{teamId}',
          description: 'Read the team back and compare it with the template',
        },
      ];
      for (const op of operations) if (op.warning) warnings.push(op.warning);
      return {
        templateId: template.templateId,
        version: versionNumber,
        names: { displayName: spec.team.displayName, mailNickname: spec.team.mailNickname },
        operations,
        warnings,
      };
    },
    async captureDocument(tenantId, input) {
      const graph = deps.graph.forTenant(await entraTenantOf(tenantId));
      return captureTeam(graph, input.teamId, input);
    },
    async capture(tenantId, input, actor, asUser) {
      if (asUser) {
        const mine = await listJoinedTeams(deps.graph, asUser);
        if (!mine.some((team) => team.teamId.toLowerCase() === input.teamId.toLowerCase())) {
          throw errors.forbidden(
            'You can capture only a team you own or are a member of; ask one of its owners, or use an API token.',
          );
        }
      }
      const graph = deps.graph.forTenant(await entraTenantOf(tenantId));
      const captured = await captureTeam(graph, input.teamId, {
        ...input,
        ...(asUser ? { visibleTo: asUser.userId } : {}),
      });
      const template = await deps.templates.create(
        tenantId,
        {
          document: captured.document,
          assets: captured.assets,
          comment: `Captured from team ${input.teamId}`,
        },
        { actor },
      );
      return { template, warnings: captured.warnings };
    },
    execute,
  };
}

/** The worker lost its lease (it stalled longer than the lease): another worker owns the run now. */
class LeaseLost extends Error {
  constructor() {
    super('lease lost');
    this.name = 'LeaseLost';
  }
}

/** The job queue is stopping, or an administrator cancelled the run. */
class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}
