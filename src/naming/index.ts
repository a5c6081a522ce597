export {
  createNamingEngine,
  type NamingEngine,
  type NamingEngineOptions,
  type NamingLimits,
} from './create-naming-engine.ts';
export { findConflicts, type NameConflict } from './find-conflicts.ts';
export { NAME_LIMITS } from './naming-limits.ts';
export {
  NAMING_FIELDS,
  type ExistingGroup,
  type NamingContext,
  type NamingField,
  type NamingRules,
  type NamingViolation,
  type NamingViolationCode,
  type RenderedNames,
  type RequesterProfile,
} from './naming-types.ts';
export { normalizeMailNickname } from './normalize-mail-nickname.ts';
export { proposeFreeMailNickname } from './propose-mail-nickname.ts';
export { SAMPLE_NAMING_CONTEXT } from './sample-naming-context.ts';
export { validateNames } from './validate-names.ts';
