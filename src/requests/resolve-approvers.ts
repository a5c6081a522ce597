import { errors } from '../errors/index.ts';
import type { DirectoryUser, TenantDirectory } from '../graph/index.ts';
import { compileApproverRule, evaluateApprovers, type PolicyUser } from '../policy/index.ts';
import type { ApproverSpec, ResolvedApprover } from './request-types.ts';

/** At most this many people approve one stage (a group of thousands is a mistake, not a policy). */
export const MAX_STAGE_APPROVERS = 200;

export interface ApproverInputs {
  /** Null when the tenant has no Entra directory (API-only tenants): only named users work then. */
  directory: TenantDirectory | null;
  requester: PolicyUser;
  templateSlug: string;
  metadata: Record<string, unknown>;
}

/**
 * Names the people who may decide a stage, from its declarations. Fails closed: an approver who
 * cannot be found, a requester without a manager, an empty group or a failing rule is an error,
 * never "nobody needs to approve".
 * @throws AppError validation_failed naming the declaration that produced no approver.
 */
export async function resolveApprovers(
  specs: readonly ApproverSpec[],
  inputs: ApproverInputs,
): Promise<ResolvedApprover[]> {
  const out = new Map<string, ResolvedApprover>();
  const add = (user: DirectoryUser, via: ApproverSpec['type']) => {
    // Disabled accounts cannot sign in to decide.
    if (user.accountEnabled === false) return;
    const key = user.id.toLowerCase();
    if (!out.has(key)) {
      out.set(key, {
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
        via,
      });
    }
  };
  for (const spec of specs) {
    const before = out.size;
    const { directory } = inputs;
    if (spec.type === 'user') {
      if (!directory) {
        const key = spec.user.toLowerCase();
        if (!out.has(key)) {
          out.set(key, {
            id: spec.user,
            userPrincipalName: spec.user.includes('@') ? spec.user : null,
            displayName: null,
            via: 'user',
          });
        }
        continue;
      }
      const user = await directory.getUser(spec.user);
      if (!user) throw unresolved(spec, `user ${spec.user} is not in the directory`);
      add(user, 'user');
    } else if (spec.type === 'group') {
      const members = directory ? await directory.listGroupMembers(spec.groupId) : needsDirectory(spec);
      if (members === null) throw unresolved(spec, `group ${spec.groupId} does not exist`);
      for (const member of members) add(member, 'group');
    } else if (spec.type === 'manager') {
      const manager = directory ? await directory.getManager(inputs.requester.id) : needsDirectory(spec);
      if (!manager) throw unresolved(spec, 'the requester has no manager in the directory');
      add(manager, 'manager');
    } else {
      if (!directory) needsDirectory(spec);
      const named = await runRule(spec.expression, inputs);
      for (const idOrUpn of named) {
        const user = await directory.getUser(idOrUpn);
        if (!user) throw unresolved(spec, `the rule named ${idOrUpn}, who is not in the directory`);
        add(user, 'rule');
      }
    }
    if (out.size === before && spec.type !== 'user') {
      throw unresolved(spec, 'it named nobody who can approve (empty or disabled accounts only)');
    }
  }
  if (out.size === 0) throw errors.validation('This approval stage has no approver');
  if (out.size > MAX_STAGE_APPROVERS) {
    throw errors.validation(
      `This approval stage names ${out.size} approvers; at most ${MAX_STAGE_APPROVERS}`,
    );
  }
  return [...out.values()];
}

async function runRule(expression: string, inputs: ApproverInputs): Promise<readonly string[]> {
  const rule = compileApproverRule(expression);
  const result = evaluateApprovers(rule, {
    request: { templateSlug: inputs.templateSlug, metadata: inputs.metadata, requester: inputs.requester },
  });
  if (!result.ok) throw unresolved({ type: 'rule', expression }, result.error.message);
  return result.approvers;
}

function needsDirectory(spec: ApproverSpec): never {
  throw unresolved(spec, "it needs the tenant's Entra directory, and this tenant has none");
}

function unresolved(spec: ApproverSpec, why: string) {
  return errors.validation(`Approver (${spec.type}) cannot be resolved: ${why}`, { approver: spec });
}

/** True when the person is one of the stage's approvers (object id or UPN, case-insensitive). */
export function isApprover(
  approvers: readonly ResolvedApprover[],
  person: { id: string; userPrincipalName?: string | undefined },
): boolean {
  const id = person.id.toLowerCase();
  const upn = person.userPrincipalName?.toLowerCase();
  return approvers.some(
    (a) => a.id.toLowerCase() === id || (upn !== undefined && a.userPrincipalName?.toLowerCase() === upn),
  );
}
