// Sample metadata values for the naming preview and the rule tester, one input per field.
import { useMessages } from '../../../i18n/index.tsx';
import type { MetadataFieldDefinition } from '../templates/api.ts';
import { CheckField, FieldGrid, Group, SelectField, TextField } from '../templates/form-parts.tsx';
import * as M from './messages.ts';

export type SampleValues = Record<string, string | boolean>;

/** The typed metadata object the API expects, from the inputs' values. */
export function metadataOf(
  fields: readonly MetadataFieldDefinition[],
  values: SampleValues,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.key];
    if (raw === undefined || raw === '') continue;
    if (field.type === 'boolean') out[field.key] = raw === true;
    else if (field.type === 'number') out[field.key] = Number(raw);
    else if (field.type === 'multi_choice')
      out[field.key] = String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else out[field.key] = raw;
  }
  return out;
}

export function SampleMetadata(props: {
  fields: readonly MetadataFieldDefinition[];
  values: SampleValues;
  onChange: (values: SampleValues) => void;
}) {
  const t = useMessages(M);
  const { fields, values, onChange } = props;
  if (fields.length === 0) return null;
  const set = (key: string, value: string | boolean) => onChange({ ...values, [key]: value });
  return (
    <Group legend={t('sample.metadata')}>
      <FieldGrid>
        {fields.map((f) => {
          const label = `${f.label} (metadata.${f.key})`;
          if (f.type === 'boolean')
            return (
              <CheckField
                key={f.key}
                label={label}
                checked={values[f.key] === true}
                onChange={(v) => set(f.key, v)}
              />
            );
          if (f.type === 'choice' && f.choices)
            return (
              <SelectField
                key={f.key}
                label={label}
                value={String(values[f.key] ?? '')}
                options={[
                  { value: '', label: t('sample.none') },
                  ...f.choices.map((c) => ({ value: c.value, label: c.label })),
                ]}
                onChange={(v) => set(f.key, v)}
              />
            );
          return (
            <TextField
              key={f.key}
              label={label}
              hint={
                f.type === 'multi_choice'
                  ? t('sample.commaSeparated')
                  : f.type === 'date'
                    ? 'YYYY-MM-DD'
                    : undefined
              }
              value={String(values[f.key] ?? '')}
              onChange={(v) => set(f.key, v)}
            />
          );
        })}
      </FieldGrid>
    </Group>
  );
}
