import { CelScalar, celEnv, mapType, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** The type a rule expression or one of its parts is known to have before it runs. */
export type RuleType =
  'bool' | 'string' | 'int' | 'uint' | 'double' | 'bytes' | 'null' | 'list' | 'map' | 'type' | 'dyn';

/** Declared shape of a map variable: known keys and their types, or any key of one type (`open`). */
export interface MapSchema {
  readonly fields: Readonly<Record<string, RuleType | MapSchema>>;
  /** When set, any key is allowed and has this type (free-form metadata). */
  readonly open?: RuleType;
}

/** Attributes of `user` (and of `request.requester`) a rule may read. */
export const USER_SCHEMA: MapSchema = {
  fields: {
    id: 'string',
    displayName: 'string',
    mail: 'string',
    department: 'string',
    country: 'string',
    jobTitle: 'string',
    officeLocation: 'string',
    userType: 'string',
    groups: 'list',
    groupNames: 'list',
    roles: 'list',
  },
};

/** Fields of `request`, available to approver rules only. */
export const REQUEST_SCHEMA: MapSchema = {
  fields: {
    templateSlug: 'string',
    metadata: { fields: {}, open: 'dyn' },
    requester: USER_SCHEMA,
  },
};

/** Variables an audience rule may use. */
export const AUDIENCE_VARIABLES: Readonly<Record<string, MapSchema>> = { user: USER_SCHEMA };

/** Variables an approver rule may use. */
export const APPROVER_VARIABLES: Readonly<Record<string, MapSchema>> = { request: REQUEST_SCHEMA };

// cel-es declares variables by CEL type only (map<string, dyn>): per-key shapes are enforced by our
// own checker (check-rule.ts), since the library's type checker is not part of its public exports.
const USER_MAP = mapType(CelScalar.STRING, CelScalar.DYN);

/** CEL environment for audience rules: `user` plus the standard library and string extensions. */
export const audienceEnv: CelEnv = celEnv({ variables: { user: USER_MAP }, funcs: strings });

/** CEL environment for approver rules: `request` plus the standard library and string extensions. */
export const approverEnv: CelEnv = celEnv({ variables: { request: USER_MAP }, funcs: strings });
