/** What the fault engine injects; every number is validated by `parseFaultSettings`. */
export interface FaultSettings {
  /** Seeds the PRNG behind latency and transient errors (and lag and operation durations). */
  seed: number;
  latency: { distribution: 'none' | 'fixed' | 'uniform' | 'normal'; minMs: number; maxMs: number };
  transient: {
    /** Share of Graph requests answered with a transient 5xx. */
    rate: number;
    statuses: (500 | 502 | 503 | 504)[];
    /** Retry-After sent with 503 and 504. */
    retryAfterSeconds: number;
    /** At most this many injected failures in a row for the same call, so that retrying succeeds. */
    maxConsecutive: number;
    /**
     * Share of injected 500/502/504 on writes that happen after the write was applied (a gateway timing
     * out on a finished operation): a blind retry then duplicates, a client that looks first does not.
     */
    afterCommitShare: number;
  };
  /** Graph's documented limits (Teams per app per tenant and per team, directory, reports) × factor. */
  throttling: {
    enabled: boolean;
    factor: number;
    /** A budget over every request of an app in a tenant, per second, besides Graph's own limits (0: none). */
    tenantPerSecond: number;
  };
  /** How long a new group answers 404 to team creation, its team and its drive. */
  replicationLag: { minMs: number; maxMs: number };
  /** How long async operations (createTeam, archiveTeam …) take to succeed. */
  operations: { minMs: number; maxMs: number };
}

export type ProfileName = 'none' | 'realistic' | 'strict';

/** The three profiles: none (plain tests), realistic (demo default), strict (engine tests). */
export const PROFILES: Readonly<Record<ProfileName, FaultSettings>> = {
  none: {
    seed: 1,
    latency: { distribution: 'none', minMs: 0, maxMs: 0 },
    transient: { rate: 0, statuses: [503], retryAfterSeconds: 1, maxConsecutive: 0, afterCommitShare: 0 },
    throttling: { enabled: false, factor: 1, tenantPerSecond: 0 },
    replicationLag: { minMs: 0, maxMs: 0 },
    operations: { minMs: 200, maxMs: 400 },
  },
  realistic: {
    seed: 1,
    latency: { distribution: 'normal', minMs: 20, maxMs: 150 },
    transient: { rate: 0.01, statuses: [503], retryAfterSeconds: 2, maxConsecutive: 1, afterCommitShare: 0 },
    throttling: { enabled: true, factor: 1, tenantPerSecond: 0 },
    replicationLag: { minMs: 2000, maxMs: 5000 },
    operations: { minMs: 2000, maxMs: 5000 },
  },
  strict: {
    seed: 1,
    latency: { distribution: 'uniform', minMs: 0, maxMs: 25 },
    transient: {
      rate: 0.12,
      statuses: [500, 502, 503, 504],
      retryAfterSeconds: 1,
      maxConsecutive: 2,
      afterCommitShare: 0.3,
    },
    throttling: { enabled: true, factor: 1, tenantPerSecond: 0 },
    replicationLag: { minMs: 800, maxMs: 1500 },
    operations: { minMs: 800, maxMs: 1600 },
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export class FaultSettingsError extends Error {}

/** Whether `name` is one of the profiles. */
export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (PROFILE_NAMES as string[]).includes(name);
}

type Checker = (value: unknown, at: string) => unknown;

const num =
  (min: number, max: number, integer = false): Checker =>
  (value, at) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new FaultSettingsError(
        `${at}: expected a number between ${min} and ${max}, got ${JSON.stringify(value)}`,
      );
    }
    if (integer && !Number.isInteger(value)) throw new FaultSettingsError(`${at}: expected an integer`);
    return value;
  };
const oneOf =
  (values: readonly (string | number)[]): Checker =>
  (value, at) => {
    if (!values.includes(value as string)) {
      throw new FaultSettingsError(
        `${at}: expected one of ${values.join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
const bool: Checker = (value, at) => {
  if (typeof value !== 'boolean') throw new FaultSettingsError(`${at}: expected true or false`);
  return value;
};
const statuses: Checker = (value, at) => {
  if (!Array.isArray(value) || value.length === 0) {
    throw new FaultSettingsError(`${at}: expected a non-empty list of 500, 502, 503, 504`);
  }
  return value.map((s, i) => oneOf([500, 502, 503, 504])(s, `${at}[${i}]`));
};

const SCHEMA: Record<string, Record<string, Checker>> = {
  latency: {
    distribution: oneOf(['none', 'fixed', 'uniform', 'normal']),
    minMs: num(0, 60_000, true),
    maxMs: num(0, 60_000, true),
  },
  transient: {
    rate: num(0, 1),
    statuses,
    retryAfterSeconds: num(1, 300, true),
    maxConsecutive: num(0, 10, true),
    afterCommitShare: num(0, 1),
  },
  throttling: { enabled: bool, factor: num(0.001, 1000), tenantPerSecond: num(0, 100_000) },
  replicationLag: { minMs: num(0, 15 * 60_000, true), maxMs: num(0, 15 * 60_000, true) },
  operations: { minMs: num(0, 10 * 60_000, true), maxMs: num(0, 10 * 60_000, true) },
};

/**
 * Settings from `{profile?, seed?, latency?, transient?, throttling?, replicationLag?, operations?}`,
 * starting from the named profile (or `current`), each given field replacing the base's.
 * @throws FaultSettingsError naming the first bad field.
 */
export function parseFaultSettings(
  input: unknown,
  current: { profile: ProfileName; settings: FaultSettings; customized: boolean },
): { profile: ProfileName; settings: FaultSettings; customized: boolean } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new FaultSettingsError('expected a JSON object such as {"profile":"strict"}');
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (key !== 'profile' && key !== 'seed' && !(key in SCHEMA)) {
      throw new FaultSettingsError(
        `${key}: unknown setting (profile, seed, ${Object.keys(SCHEMA).join(', ')})`,
      );
    }
  }
  if (body.profile !== undefined && !isProfileName(body.profile)) {
    throw new FaultSettingsError(
      `profile: expected one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(body.profile)}`,
    );
  }
  const profile = (body.profile as ProfileName | undefined) ?? current.profile;
  const settings: FaultSettings = structuredClone(body.profile ? PROFILES[profile] : current.settings);
  if (body.seed !== undefined) settings.seed = num(0, 0xffffffff, true)(body.seed, 'seed') as number;
  // Seed alone keeps a profile a profile; any section makes the settings custom.
  let customized = body.profile === undefined ? current.customized : false;
  for (const [section, fields] of Object.entries(SCHEMA)) {
    const given = body[section];
    if (given === undefined) continue;
    customized = true;
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new FaultSettingsError(`${section}: expected an object`);
    }
    const target = settings[section as keyof FaultSettings] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(given)) {
      const check = fields[field];
      if (!check)
        throw new FaultSettingsError(
          `${section}.${field}: unknown setting (${Object.keys(fields).join(', ')})`,
        );
      target[field] = check(value, `${section}.${field}`);
    }
  }
  for (const section of ['latency', 'replicationLag', 'operations'] as const) {
    const range = settings[section];
    if (range.minMs > range.maxMs) throw new FaultSettingsError(`${section}: minMs must not exceed maxMs`);
  }
  return { profile, settings, customized };
}
