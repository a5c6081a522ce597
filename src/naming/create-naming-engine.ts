import { Liquid } from 'liquidjs';
import { errors } from '../errors/index.ts';
import { FORBIDDEN_TAGS, liquidErrorToViolation } from './liquid-error-to-violation.ts';
import {
  NAMING_FIELDS,
  type NamingContext,
  type NamingField,
  type NamingRules,
  type NamingViolation,
  type RenderedNames,
} from './naming-types.ts';
import { normalizeMailNickname } from './normalize-mail-nickname.ts';
import { registerNamingFilters } from './register-naming-filters.ts';
import { SAMPLE_NAMING_CONTEXT } from './sample-naming-context.ts';
import { validateNames } from './validate-names.ts';

/** Bounds on what one naming rule may cost; defaults suit an interactive preview. */
export interface NamingLimits {
  /** Longest template accepted, in characters. */
  templateLength: number;
  /** Wall-clock budget for rendering one field, in milliseconds. */
  renderMs: number;
  /** liquidjs allocation budget (range sizes, string building) for one field. */
  memory: number;
}

export interface NamingEngineOptions {
  /** IANA zone name or minutes offset for the `date` filter; UTC by default so previews match provisioning. */
  timezone?: string | number;
  limits?: Partial<NamingLimits>;
}

/** Renders naming rules; every failure is reported as a `NamingViolation` naming the field. */
export interface NamingEngine {
  /**
   * Renders every rule against the context; the mail nickname is derived from the display name when it has no rule.
   * @throws AppError validation_failed with `details.violations` when a rule does not parse or render.
   */
  render(rules: NamingRules, context: NamingContext): Promise<RenderedNames>;
  /**
   * Save-time check: parses every rule, renders it once against a sample context and checks the sample names
   * against Microsoft's limits. Pass sample metadata and inputs the template defines. Empty means valid.
   */
  validateRules(rules: NamingRules, sample?: Partial<NamingContext>): Promise<NamingViolation[]>;
}

// liquidjs measures the render limit in wall-clock time, and a render yields to other requests
// between tags: under load a cheap rule can take a few hundred ms without costing that much CPU.
// The memory budget and the template length bound the work; the time limit catches runaway loops.
const DEFAULT_LIMITS: NamingLimits = { templateLength: 8_000, renderMs: 1_000, memory: 1_000_000 };

// Entra attributes many users leave blank: exposed as '' so `{{ requester.department }}` does not
// fail strict-variable checks for the one requester whose profile lacks it.
const REQUESTER_ATTRIBUTES = [
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'department',
  'country',
  'usageLocation',
  'jobTitle',
  'officeLocation',
  'companyName',
  'city',
  'state',
  'employeeId',
] as const;

/** Builds the sandboxed Liquid engine for naming rules (no file system, no JavaScript, bounded time and memory). */
export function createNamingEngine(options: NamingEngineOptions = {}): NamingEngine {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const liquid = new Liquid({
    // Only data the context owns is reachable: no `constructor`, `__proto__` or inherited getters.
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: true,
    // Lets authors guard optional metadata: `{% if metadata.code %}` and `| default:` do not throw.
    lenientIf: true,
    // An empty in-memory store: even a tag that looks files up finds nothing on disk.
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    timezoneOffset: options.timezone ?? 0,
    parseLimit: limits.templateLength,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory,
  });
  // Removing the tags makes their use a parse error, reported as forbidden_tag.
  for (const tag of FORBIDDEN_TAGS) delete liquid.tags[tag];
  registerNamingFilters(liquid);

  async function renderField(
    field: NamingField,
    source: string,
    scope: object,
  ): Promise<{ value: string } | { violation: NamingViolation }> {
    try {
      const parsed = liquid.parse(source);
      const value: unknown = await liquid.render(parsed, scope);
      return { value: typeof value === 'string' ? value : String(value) };
    } catch (error) {
      return { violation: liquidErrorToViolation(field, error) };
    }
  }

  async function renderAll(rules: NamingRules, context: NamingContext) {
    const scope = toScope(context);
    const values: Partial<Record<NamingField, string>> = {};
    const violations: NamingViolation[] = [];
    for (const field of NAMING_FIELDS) {
      const source = rules[field];
      if (source === undefined) continue;
      if (typeof source !== 'string') {
        violations.push({ field, code: 'syntax_error', message: `The ${field} rule must be text.` });
        continue;
      }
      const result = await renderField(field, source, scope);
      if ('violation' in result) violations.push(result.violation);
      else values[field] = tidy(field, result.value);
    }
    return { values, violations };
  }

  return {
    async render(rules, context) {
      if (typeof rules.displayName !== 'string' || rules.displayName.trim() === '') {
        throw errors.validation('displayName: a naming rule is required', {
          violations: [
            { field: 'displayName', code: 'required', message: 'The display name rule is empty.' },
          ],
        });
      }
      const { values, violations } = await renderAll(rules, context);
      const first = violations[0];
      if (first) throw errors.validation(`${first.field}: ${first.message}`, { violations });
      const displayName = values.displayName ?? '';
      const names: RenderedNames = {
        displayName,
        mailNickname: values.mailNickname ?? normalizeMailNickname(displayName),
      };
      if (values.description !== undefined) names.description = values.description;
      if (values.welcomeMessage !== undefined) names.welcomeMessage = values.welcomeMessage;
      return names;
    },

    async validateRules(rules, sample = {}) {
      if (typeof rules.displayName !== 'string' || rules.displayName.trim() === '') {
        return [{ field: 'displayName', code: 'required', message: 'The display name rule is empty.' }];
      }
      const context: NamingContext = { ...SAMPLE_NAMING_CONTEXT, ...sample };
      const { values, violations } = await renderAll(rules, context);
      if (violations.length > 0) return violations;
      // Rendered fine: a rule that always yields a bad name (a nickname with spaces …) is still wrong.
      return validateNames({
        displayName: values.displayName ?? '',
        mailNickname: values.mailNickname ?? normalizeMailNickname(values.displayName ?? ''),
        ...(values.description === undefined ? {} : { description: values.description }),
      });
    },
  };
}

// Only these five names reach Liquid; whatever else the caller's objects carry stays out.
function toScope(context: NamingContext): Record<string, unknown> {
  const requester: Record<string, string> = {};
  for (const key of REQUESTER_ATTRIBUTES) requester[key] = '';
  for (const [key, value] of Object.entries(context.requester)) {
    if (typeof value === 'string') requester[key] = value;
  }
  return {
    request: { name: context.request.name, inputs: { ...context.request.inputs } },
    requester,
    metadata: context.metadata,
    now: context.now,
    template: { slug: context.template.slug, name: context.template.name },
  };
}

// Rules are often written over several lines for readability; single-line names must not keep the breaks.
function tidy(field: NamingField, value: string): string {
  return field === 'displayName' || field === 'mailNickname'
    ? value.replace(/\s+/g, ' ').trim()
    : value.trim();
}
