/** The four names a naming rule set produces, in the order they are rendered. */
export const NAMING_FIELDS = ['displayName', 'mailNickname', 'description', 'welcomeMessage'] as const;

/** One of the rendered names. */
export type NamingField = (typeof NAMING_FIELDS)[number];

/** Liquid templates per field, as stored on a collaboration template. */
export interface NamingRules {
  displayName: string;
  /** Absent: the nickname is derived from the rendered display name. */
  mailNickname?: string;
  description?: string;
  welcomeMessage?: string;
}

/** The requester's directory profile (Entra user); extension attributes may be added as extra strings. */
export interface RequesterProfile {
  displayName: string;
  mail?: string;
  department?: string;
  country?: string;
  jobTitle?: string;
  officeLocation?: string;
  usageLocation?: string;
  companyName?: string;
  [attribute: string]: string | undefined;
}

/** What a naming template can read: nothing else is exposed to Liquid. */
export interface NamingContext {
  request: { name: string; inputs: Record<string, string> };
  requester: RequesterProfile;
  metadata: Record<string, unknown>;
  now: Date;
  template: { slug: string; name: string };
}

/** The rendered names; optional fields are present only when their rule is. */
export interface RenderedNames {
  displayName: string;
  mailNickname: string;
  description?: string;
  welcomeMessage?: string;
}

/** Why a template or a name was refused. */
export type NamingViolationCode =
  | 'syntax_error'
  | 'forbidden_tag'
  | 'unknown_tag'
  | 'unknown_variable'
  | 'unknown_filter'
  | 'limit_exceeded'
  | 'render_error'
  | 'required'
  | 'too_long'
  | 'leading_trailing_space'
  | 'invalid_character'
  | 'invalid_dot';

/** One problem with one field; `name` carries the offending variable, filter or tag when there is one. */
export interface NamingViolation {
  field: NamingField;
  code: NamingViolationCode;
  message: string;
  name?: string;
}

/** An existing Microsoft 365 group as Graph lists it (`$select=displayName,mailNickname`). */
export interface ExistingGroup {
  id?: string;
  displayName: string;
  mailNickname: string;
}
