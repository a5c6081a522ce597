import { errors } from '../errors/index.ts';
import { POLICY_LIMITS } from './policy-limits.ts';

/** A directory user as rules see them; Graph returns null for unset attributes, so null is allowed. */
export interface PolicyUser {
  readonly id: string;
  readonly displayName?: string | null;
  readonly mail?: string | null;
  readonly department?: string | null;
  readonly country?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
  readonly userType?: 'Member' | 'Guest' | null;
  /** Group object ids (transitive memberships). */
  readonly groups?: readonly string[];
  /** Group display names, for rules written by humans. */
  readonly groupNames?: readonly string[];
  /** Trellis role names. */
  readonly roles?: readonly string[];
}

/** What an approver rule sees: the request being approved. */
export interface ApproverContext {
  readonly request: {
    readonly templateSlug: string;
    /** Dynamic values filled in by the requester (JSON-like). */
    readonly metadata?: Readonly<Record<string, unknown>>;
    readonly requester: PolicyUser;
  };
}

type CelPlain = string | number | bigint | boolean | null | readonly CelPlain[] | { [key: string]: CelPlain };

const STRING_FIELDS = [
  'id',
  'displayName',
  'mail',
  'department',
  'country',
  'jobTitle',
  'officeLocation',
] as const;
const LIST_FIELDS = ['groups', 'groupNames', 'roles'] as const;
const MAX_METADATA_DEPTH = 8;

/**
 * Builds the `user` value with every declared key present: unset attributes become '' and unset
 * lists []. A rule then never fails merely because Graph left `department` null.
 * @throws AppError (validation) when a list is too long or holds non-strings.
 */
export function userToCel(user: PolicyUser): Record<string, CelPlain> {
  const out: Record<string, CelPlain> = {};
  for (const key of STRING_FIELDS) out[key] = stringOrEmpty(user[key], `user.${key}`);
  out['userType'] = stringOrEmpty(user.userType, 'user.userType');
  for (const key of LIST_FIELDS) out[key] = stringList(user[key], `user.${key}`);
  return out;
}

/**
 * Builds the `request` value for approver rules.
 * @throws AppError (validation) when the input is malformed or exceeds the list/depth bounds.
 */
export function requestToCel(context: ApproverContext): Record<string, CelPlain> {
  const { request } = context;
  return {
    templateSlug: stringOrEmpty(request.templateSlug, 'request.templateSlug'),
    metadata: metadataValue(request.metadata ?? {}, 'request.metadata', 0),
    requester: userToCel(request.requester),
  };
}

function stringOrEmpty(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw errors.validation(`${path} must be a string`, { path });
  return value;
}

function stringList(value: readonly unknown[] | undefined, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw errors.validation(`${path} must be a list`, { path });
  checkListSize(value.length, path);
  return value.map((item) => {
    if (typeof item !== 'string') throw errors.validation(`${path} must hold strings`, { path });
    return item;
  });
}

function checkListSize(size: number, path: string): void {
  if (size > POLICY_LIMITS.maxListItems) {
    throw errors.validation(
      `${path} has ${size} items; at most ${POLICY_LIMITS.maxListItems} are evaluated`,
      {
        path,
        maxListItems: POLICY_LIMITS.maxListItems,
      },
    );
  }
}

function metadataValue(value: unknown, path: string, depth: number): CelPlain {
  if (depth > MAX_METADATA_DEPTH) throw errors.validation(`${path} is nested too deeply`, { path });
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw errors.validation(`${path} must be a finite number`, { path });
    return value;
  }
  if (Array.isArray(value)) {
    checkListSize(value.length, path);
    return value.map((item: unknown, i) => metadataValue(item, `${path}[${i}]`, depth + 1));
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, CelPlain> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = metadataValue(item, `${path}.${key}`, depth + 1);
    return out;
  }
  throw errors.validation(`${path} holds a value rules cannot read (${typeof value})`, { path });
}
