// Small form controls of the template editor: each takes the JSON Pointer of the value it edits, so
// the server's validation issues (POST /templates/validate, a refused save) show at the field.
import {
  Button,
  Checkbox,
  Field,
  Input,
  makeStyles,
  Select,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownRegular, ArrowUpRegular, DeleteRegular, AddRegular } from '@fluentui/react-icons';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useMessages } from '../../../i18n/index.tsx';
import * as M from './messages.ts';

/** Issues of the current draft, by JSON Pointer. */
export const IssuesContext = createContext<ReadonlyMap<string, string>>(new Map());

/** The message of the issue at `path`, if any. */
export function useIssue(path: string | undefined): string | undefined {
  const issues = useContext(IssuesContext);
  return path === undefined ? undefined : issues.get(path);
}

const useStyles = makeStyles({
  mono: { fontFamily: tokens.fontFamilyMonospace },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 240px), 1fr))',
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    alignItems: 'start',
  },
  fieldset: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    margin: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    minWidth: 0,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: `0 ${tokens.spacingHorizontalXS}` },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  itemActions: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
});

/** A responsive grid of fields. */
export function FieldGrid(props: { children: ReactNode }) {
  return <div className={useStyles().grid}>{props.children}</div>;
}

/** A titled group of fields (fieldset + legend: screen readers announce the group). */
export function Group(props: { legend: string; children: ReactNode; actions?: ReactNode }) {
  const styles = useStyles();
  return (
    <fieldset className={styles.fieldset}>
      <legend className={styles.legend}>{props.legend}</legend>
      {props.actions}
      {props.children}
    </fieldset>
  );
}

interface TextProps {
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
  path?: string;
  hint?: string;
  required?: boolean;
  multiline?: boolean;
  mono?: boolean;
  rows?: number;
  placeholder?: string;
  readOnly?: boolean;
}

/** A text input (or textarea) with its label, hint and the server's issue at `path`. */
export function TextField(props: TextProps) {
  const styles = useStyles();
  const issue = useIssue(props.path);
  const className = props.mono ? styles.mono : undefined;
  return (
    <Field
      label={props.label}
      required={props.required ?? false}
      hint={props.hint}
      validationMessage={issue}
      validationState={issue ? 'error' : 'none'}
    >
      {props.multiline ? (
        <Textarea
          textarea={{ className }}
          value={props.value ?? ''}
          rows={props.rows ?? 3}
          resize="vertical"
          placeholder={props.placeholder}
          readOnly={props.readOnly ?? false}
          onChange={(_e, data) => props.onChange(data.value)}
        />
      ) : (
        <Input
          input={{ className }}
          value={props.value ?? ''}
          placeholder={props.placeholder}
          readOnly={props.readOnly ?? false}
          onChange={(_e, data) => props.onChange(data.value)}
        />
      )}
    </Field>
  );
}

/** `''` → undefined, for optional strings that must be absent rather than empty. */
export const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value);

/** A whole-number input; empty is undefined. */
export function NumberField(props: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  path?: string;
  min?: number;
  max?: number;
  hint?: string;
}) {
  const issue = useIssue(props.path);
  return (
    <Field
      label={props.label}
      hint={props.hint}
      validationMessage={issue}
      validationState={issue ? 'error' : 'none'}
    >
      <Input
        type="number"
        value={props.value === undefined ? '' : String(props.value)}
        min={props.min}
        max={props.max}
        onChange={(_e, data) => {
          const n = Number(data.value);
          props.onChange(data.value.trim() === '' || Number.isNaN(n) ? undefined : n);
        }}
      />
    </Field>
  );
}

/** A checkbox. */
export function CheckField(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <Checkbox
      label={props.label}
      checked={props.checked}
      onChange={(_e, data) => props.onChange(data.checked === true)}
    />
  );
}

/** A native select (light, keyboard- and screen-reader-friendly). */
export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  path?: string;
  hint?: string;
}) {
  const issue = useIssue(props.path);
  return (
    <Field
      label={props.label}
      hint={props.hint}
      validationMessage={issue}
      validationState={issue ? 'error' : 'none'}
    >
      <Select value={props.value} onChange={(_e, data) => props.onChange(data.value as T)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** An optional boolean of Graph settings: Microsoft's default (absent), yes or no. */
export function TriStateField(props: {
  label: string;
  value: boolean | undefined;
  onChange: (value: boolean | undefined) => void;
}) {
  const t = useMessages(M);
  const value = props.value === undefined ? 'default' : props.value ? 'yes' : 'no';
  return (
    <SelectField
      label={props.label}
      value={value}
      options={[
        { value: 'default', label: t('form.default') },
        { value: 'yes', label: t('form.yes') },
        { value: 'no', label: t('form.no') },
      ]}
      onChange={(v) => props.onChange(v === 'default' ? undefined : v === 'yes')}
    />
  );
}

const splitters = {
  comma: { split: (s: string) => s.split(','), join: (v: readonly string[]) => v.join(', ') },
  line: { split: (s: string) => s.split('\n'), join: (v: readonly string[]) => v.join('\n') },
};

/**
 * A list of strings typed as text (comma- or line-separated). The text is kept locally while
 * typing so a trailing separator is not eaten; it resyncs when the list changes from outside.
 */
export function ListField(props: {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  separator?: 'comma' | 'line';
  path?: string;
  hint?: string;
  mono?: boolean;
}) {
  const styles = useStyles();
  const how = splitters[props.separator ?? 'comma'];
  const parse = (text: string) =>
    how
      .split(text)
      .map((s) => s.trim())
      .filter(Boolean);
  const [text, setText] = useState(() => how.join(props.values));
  const joined = props.values.join('\u0000');
  useEffect(() => {
    setText((current) => (parse(current).join('\u0000') === joined ? current : how.join(props.values)));
    // Resync only when the list itself changes.
  }, [joined]);
  const issue = useIssue(props.path) ?? findItemIssue(useContext(IssuesContext), props.path);
  const onChange = (value: string) => {
    setText(value);
    props.onChange(parse(value));
  };
  return (
    <Field
      label={props.label}
      hint={props.hint}
      validationMessage={issue}
      validationState={issue ? 'error' : 'none'}
    >
      {props.separator === 'line' ? (
        <Textarea
          textarea={{ className: props.mono ? styles.mono : undefined }}
          value={text}
          rows={Math.min(8, Math.max(2, props.values.length + 1))}
          resize="vertical"
          onChange={(_e, data) => onChange(data.value)}
        />
      ) : (
        <Input value={text} onChange={(_e, data) => onChange(data.value)} />
      )}
    </Field>
  );
}

/** The first issue under `path/<index>` (an item of a list edited as text). */
function findItemIssue(issues: ReadonlyMap<string, string>, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  for (const [where, message] of issues) if (where.startsWith(`${path}/`)) return message;
  return undefined;
}

/** Immutable list helpers for the repeaters. */
export const lists = {
  replace: <T,>(items: readonly T[], index: number, item: T): T[] =>
    items.map((x, i) => (i === index ? item : x)),
  remove: <T,>(items: readonly T[], index: number): T[] => items.filter((_x, i) => i !== index),
  move: <T,>(items: readonly T[], index: number, delta: number): T[] => {
    const to = index + delta;
    if (to < 0 || to >= items.length) return [...items];
    const next = [...items];
    const [item] = next.splice(index, 1);
    next.splice(to, 0, item as T);
    return next;
  },
};

/**
 * A list of groups (channels, tabs, tasks…): each item in its fieldset with move and remove
 * buttons named after the item, and an add button.
 */
export function Repeater<T>(props: {
  items: readonly T[];
  onChange: (items: T[]) => void;
  create: () => T;
  itemLabel: (item: T, index: number) => string;
  addLabel: string;
  children: (item: T, update: (item: T) => void, index: number) => ReactNode;
  max?: number;
}) {
  const t = useMessages(M);
  const styles = useStyles();
  const { items, onChange } = props;
  return (
    <div className={styles.list}>
      {items.map((item, index) => {
        const label = props.itemLabel(item, index);
        return (
          <Group
            // Items have no id: the index is their identity while editing.
            key={index}
            legend={label}
            actions={
              <div className={styles.itemActions}>
                <Button
                  size="small"
                  icon={<ArrowUpRegular />}
                  aria-label={t('form.moveUp', { item: label })}
                  disabled={index === 0}
                  onClick={() => onChange(lists.move(items, index, -1))}
                />
                <Button
                  size="small"
                  icon={<ArrowDownRegular />}
                  aria-label={t('form.moveDown', { item: label })}
                  disabled={index === items.length - 1}
                  onClick={() => onChange(lists.move(items, index, 1))}
                />
                <Button
                  size="small"
                  icon={<DeleteRegular />}
                  aria-label={t('form.remove', { item: label })}
                  onClick={() => onChange(lists.remove(items, index))}
                >
                  {t('form.removeShort')}
                </Button>
              </div>
            }
          >
            {props.children(item, (next) => onChange(lists.replace(items, index, next)), index)}
          </Group>
        );
      })}
      <div>
        <Button
          icon={<AddRegular />}
          disabled={props.max !== undefined && items.length >= props.max}
          onClick={() => onChange([...items, props.create()])}
        >
          {props.addLabel}
        </Button>
      </div>
    </div>
  );
}
