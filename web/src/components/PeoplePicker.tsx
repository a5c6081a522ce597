// The people picker: search the tenant's directory (GET /api/v1/directory/users?q=) and pick one or
// more people, shown as removable tags. Used by the request wizard; any tab may import it.
import {
  Avatar,
  Field,
  makeStyles,
  TagPicker,
  TagPickerControl,
  TagPickerGroup,
  TagPickerInput,
  TagPickerList,
  TagPickerOption,
  Tag,
  tokens,
  type TagPickerProps,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, qs } from '../api/client.ts';
import { useMessages } from '../i18n/index.tsx';
import { peoplePickerMessages } from './PeoplePicker.messages.ts';

/** A person as the picker returns them. */
export interface Person {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string | null;
  jobTitle?: string | null;
  department?: string | null;
}

const NO_MATCH = '__no-match__';

const useStyles = makeStyles({
  secondary: { color: tokens.colorNeutralForeground3 },
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function secondaryText(person: Person): string {
  return [person.jobTitle, person.department, person.mail ?? person.userPrincipalName]
    .filter(Boolean)
    .join(' · ');
}

/**
 * A labelled directory people picker. `max={1}` picks one person (a new pick replaces the old);
 * `exclude` hides people picked elsewhere (e.g. owners from the members picker).
 */
export function PeoplePicker(props: {
  label: string;
  selected: Person[];
  onChange: (people: Person[]) => void;
  max?: number;
  exclude?: readonly string[];
  hint?: string;
  validationMessage?: string;
  required?: boolean;
}) {
  const t = useMessages(peoplePickerMessages);
  const styles = useStyles();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const term = useDebounced(query.trim(), 250);
  const known = useRef(new Map<string, Person>());
  const search = useQuery({
    queryKey: ['directory', 'users', term],
    queryFn: ({ signal }) =>
      api<{ items: Person[] }>('GET', `/directory/users${qs({ q: term, limit: 10 })}`, { signal }),
    enabled: term.length > 0,
    staleTime: 60_000,
  });
  const excluded = new Set((props.exclude ?? []).map((id) => id.toLowerCase()));
  const selectedIds = props.selected.map((p) => p.id);
  const results = (search.data?.items ?? []).filter(
    (p) => !excluded.has(p.id.toLowerCase()) && !selectedIds.includes(p.id),
  );
  for (const p of [...results, ...props.selected]) known.current.set(p.id, p);

  const onOptionSelect: TagPickerProps['onOptionSelect'] = (_event, data) => {
    if (data.value === NO_MATCH) return;
    if (selectedIds.includes(data.value)) {
      props.onChange(props.selected.filter((p) => p.id !== data.value));
      return;
    }
    const person = known.current.get(data.value);
    if (!person) return;
    const max = props.max ?? Infinity;
    props.onChange(max === 1 ? [person] : [...props.selected, person].slice(0, max));
    setQuery('');
  };

  const status = !term
    ? ''
    : search.isFetching
      ? t('picker.searching')
      : search.error
        ? t('picker.error', { message: search.error.message })
        : results.length === 0
          ? t('picker.noMatch', { query: term })
          : t('picker.found', { count: results.length });

  return (
    <Field
      label={props.label}
      required={props.required}
      hint={props.hint}
      validationMessage={props.validationMessage}
      validationState={props.validationMessage ? 'error' : 'none'}
    >
      <TagPicker
        onOptionSelect={onOptionSelect}
        selectedOptions={selectedIds}
        inline
        open={open}
        onOpenChange={(_e, data) => setOpen(data.open)}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label={t('picker.selected', { label: props.label })}>
            {props.selected.map((person) => (
              <Tag
                key={person.id}
                value={person.id}
                shape="rounded"
                media={<Avatar aria-hidden name={person.displayName} color="colorful" />}
                dismissible
                dismissIcon={{ 'aria-label': t('picker.remove', { name: person.displayName }) }}
              >
                {person.displayName}
              </Tag>
            ))}
          </TagPickerGroup>
          <TagPickerInput
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              // Typed or pasted text opens the list of matches.
              setOpen(event.target.value.trim().length > 0);
            }}
            placeholder={props.selected.length === 0 ? t('picker.placeholder') : undefined}
          />
        </TagPickerControl>
        {/* Always two children: with one, TagPicker takes it for the popover and hides the control. */}
        <TagPickerList>
          {results.length > 0 ? (
            results.map((person) => (
              <TagPickerOption
                key={person.id}
                value={person.id}
                text={person.displayName}
                secondaryContent={<span className={styles.secondary}>{secondaryText(person)}</span>}
                media={<Avatar aria-hidden name={person.displayName} color="colorful" />}
              >
                {person.displayName}
              </TagPickerOption>
            ))
          ) : (
            <TagPickerOption value={NO_MATCH} text={status || t('picker.placeholder')}>
              {status || t('picker.placeholder')}
            </TagPickerOption>
          )}
        </TagPickerList>
      </TagPicker>
      <div className={styles.srOnly} role="status" aria-live="polite">
        {status}
      </div>
    </Field>
  );
}
