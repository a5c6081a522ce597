// Calls of the naming preview (POST /naming/preview) and the rule tester (POST /rules/test).
import { api } from '../../../api/client.ts';
import type { NamingRules } from '../templates/api.ts';

export interface PreviewNames {
  displayName: string;
  mailNickname: string;
  description?: string;
  welcomeMessage?: string;
}

/** POST /naming/preview. */
export interface NamingPreview {
  names: PreviewNames | null;
  violations: { field: string; code: string; message: string; name?: string }[];
  conflicts: { field: string; group: { id?: string; displayName: string; mailNickname: string } }[];
  proposedMailNickname: string | null;
  metadata: Record<string, unknown>;
}

export type RuleKind = 'audience' | 'approver';

/** The user as rules see them. */
export interface PolicyUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  department?: string | null;
  country?: string | null;
  jobTitle?: string | null;
  officeLocation?: string | null;
  userType?: string | null;
  groups?: string[];
  groupNames?: string[];
  roles?: string[];
}

/** POST /rules/test. */
export interface RuleTestResult {
  kind: string;
  valid: boolean;
  allowed?: boolean;
  approvers?: string[];
  error: {
    message: string;
    details?: { position?: { offset: number; line: number; column: number }; [key: string]: unknown };
  } | null;
  durationMs: number;
  user: PolicyUser;
}

export const policyApi = {
  preview: (body: {
    template?: string;
    rules?: NamingRules;
    name: string;
    metadata: Record<string, unknown>;
    requester?: string;
  }) => api<NamingPreview>('POST', '/naming/preview', { body }),
  testRule: (body: {
    kind: RuleKind;
    expression: string;
    user: string;
    templateSlug?: string;
    metadata?: Record<string, unknown>;
  }) => api<RuleTestResult>('POST', '/rules/test', { body }),
};
