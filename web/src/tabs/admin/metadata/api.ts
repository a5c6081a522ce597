// Calls of the tenant metadata fields API (src/templates/routes/metadata-field-routes.ts).
import { api } from '../../../api/client.ts';
import type { FieldChoice, FieldValidation, MetadataFieldType, TenantField } from '../templates/api.ts';

export type { TenantField } from '../templates/api.ts';

/** The body of POST /metadata-fields (with key) and PUT /metadata-fields/{key} (with status). */
export interface FieldInput {
  key: string;
  label: string;
  type: MetadataFieldType;
  required: boolean;
  helpText?: string;
  validation?: FieldValidation;
  choices?: FieldChoice[];
  appliesTo: string[] | null;
  status: 'active' | 'disabled';
}

/** Drops empty optional parts so the server sees them absent. */
function bodyOf(input: FieldInput): Record<string, unknown> {
  const validation = Object.fromEntries(
    Object.entries(input.validation ?? {}).filter(([, v]) => v !== undefined && v !== ''),
  );
  const hasChoices = input.type === 'choice' || input.type === 'multi_choice';
  return {
    label: input.label.trim(),
    type: input.type,
    required: input.required,
    ...(input.helpText?.trim() ? { helpText: input.helpText.trim() } : {}),
    ...(Object.keys(validation).length ? { validation } : {}),
    ...(hasChoices && input.choices?.length ? { choices: input.choices } : {}),
    appliesTo: input.appliesTo,
  };
}

export const fieldApi = {
  create: (input: FieldInput) =>
    api<TenantField>('POST', '/metadata-fields', { body: { key: input.key, ...bodyOf(input) } }),
  update: (input: FieldInput) =>
    api<TenantField>('PUT', `/metadata-fields/${encodeURIComponent(input.key)}`, {
      body: { ...bodyOf(input), status: input.status },
    }),
};
