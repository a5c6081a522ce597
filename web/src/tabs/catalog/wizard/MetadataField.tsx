import { Checkbox, Dropdown, Field, Input, Option } from '@fluentui/react-components';
import { type Person, PeoplePicker } from '../../../components/PeoplePicker.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import type { FieldDefinition } from '../api.ts';
import { messages } from '../messages.ts';
import type { MetaValue } from './draft.ts';

function asPerson(value: MetaValue): Person[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? [value] : [];
}

/** One metadata field, as the control its type calls for, with its label, help and error. */
export function MetadataField(props: {
  field: FieldDefinition;
  value: MetaValue;
  error: string | undefined;
  onChange: (value: MetaValue) => void;
}) {
  const t = useMessages(messages);
  const { field, value, error, onChange } = props;
  const common = {
    label: field.label,
    required: field.required,
    hint: field.helpText,
    validationMessage: error,
    validationState: error ? ('error' as const) : ('none' as const),
  };
  const text = typeof value === 'string' ? value : '';
  switch (field.type) {
    case 'person':
      return (
        <PeoplePicker
          label={field.label}
          required={field.required}
          hint={field.helpText}
          validationMessage={error}
          max={1}
          selected={asPerson(value)}
          onChange={(people) => onChange(people[0] ?? null)}
        />
      );
    case 'boolean':
      return (
        <Field validationMessage={error} hint={field.helpText}>
          <Checkbox
            label={field.label}
            checked={value === true}
            onChange={(_e, data) => onChange(data.checked === true)}
          />
        </Field>
      );
    case 'choice': {
      const choice = field.choices?.find((c) => c.value === value);
      return (
        <Field {...common}>
          <Dropdown
            inlinePopup
            placeholder={t('details.choose')}
            value={choice?.label ?? ''}
            selectedOptions={choice ? [choice.value] : []}
            onOptionSelect={(_e, data) => onChange(data.optionValue ?? null)}
          >
            {(field.choices ?? []).map((c) => (
              <Option key={c.value} value={c.value}>
                {c.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
      );
    }
    case 'multi_choice': {
      const picked = Array.isArray(value) ? value : [];
      const labels = (field.choices ?? []).filter((c) => picked.includes(c.value)).map((c) => c.label);
      return (
        <Field {...common}>
          <Dropdown
            inlinePopup
            multiselect
            placeholder={t('details.chooseMany')}
            value={labels.join(', ')}
            selectedOptions={picked}
            onOptionSelect={(_e, data) => onChange(data.selectedOptions)}
          >
            {(field.choices ?? []).map((c) => (
              <Option key={c.value} value={c.value}>
                {c.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
      );
    }
    case 'date':
      return (
        <Field {...common}>
          <Input
            type="date"
            value={text}
            min={field.validation?.minDate}
            max={field.validation?.maxDate}
            onChange={(_e, data) => onChange(data.value)}
          />
        </Field>
      );
    case 'number':
      return (
        <Field {...common}>
          <Input
            type="number"
            inputMode="decimal"
            value={text}
            min={field.validation?.min}
            max={field.validation?.max}
            onChange={(_e, data) => onChange(data.value)}
          />
        </Field>
      );
    default:
      return (
        <Field {...common}>
          <Input
            value={text}
            maxLength={field.validation?.maxLength}
            onChange={(_e, data) => onChange(data.value)}
          />
        </Field>
      );
  }
}
