// Admin → Metadata fields: the tenant's fields (collected on requests, used in naming and rules),
// listed, created and edited.
import {
  Badge,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, EditRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, ErrorState, QueryView } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import { issuesOfError, useTemplateList, useTenantFields } from '../templates/api.ts';
import {
  CheckField,
  FieldGrid,
  Group,
  IssuesContext,
  NumberField,
  SelectField,
  TextField,
} from '../templates/form-parts.tsx';
import { FieldDefinitionFields } from '../templates/TemplateForm.tsx';
import { fieldApi, type FieldInput, type TenantField } from './api.ts';
import * as M from './messages.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  title: { margin: 0, flexGrow: 1 },
  scroll: { overflowX: 'auto' },
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
  },
  formTitle: { margin: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  checks: { display: 'flex', flexDirection: 'column' },
});

const blank = (): FieldInput => ({
  key: '',
  label: '',
  type: 'text',
  required: false,
  appliesTo: null,
  status: 'active',
});

const inputOf = (f: TenantField): FieldInput => ({
  key: f.key,
  label: f.label,
  type: f.type,
  required: f.required,
  ...(f.helpText !== undefined ? { helpText: f.helpText } : {}),
  ...(f.validation !== undefined ? { validation: f.validation } : {}),
  ...(f.choices !== undefined ? { choices: f.choices } : {}),
  appliesTo: f.appliesTo,
  status: f.status,
});

/** The validation settings that apply to the field's type. */
function ValidationFields(props: { input: FieldInput; onChange: (i: FieldInput) => void }) {
  const t = useMessages(M);
  const { input, onChange } = props;
  const v = input.validation ?? {};
  const set = (key: string, value: string | number | undefined) =>
    onChange({ ...input, validation: { ...v, [key]: value === '' ? undefined : value } });
  if (input.type === 'text') {
    return (
      <FieldGrid>
        <NumberField
          label={t('field.minLength')}
          min={0}
          value={v.minLength}
          path="/validation/minLength"
          onChange={(n) => set('minLength', n)}
        />
        <NumberField
          label={t('field.maxLength')}
          min={1}
          value={v.maxLength}
          path="/validation/maxLength"
          onChange={(n) => set('maxLength', n)}
        />
        <TextField
          label={t('field.pattern')}
          mono
          hint={t('field.patternHint')}
          value={v.pattern}
          path="/validation/pattern"
          onChange={(s) => set('pattern', s)}
        />
      </FieldGrid>
    );
  }
  if (input.type === 'number') {
    return (
      <FieldGrid>
        <NumberField
          label={t('field.min')}
          value={v.min}
          path="/validation/min"
          onChange={(n) => set('min', n)}
        />
        <NumberField
          label={t('field.max')}
          value={v.max}
          path="/validation/max"
          onChange={(n) => set('max', n)}
        />
      </FieldGrid>
    );
  }
  if (input.type === 'date') {
    return (
      <FieldGrid>
        <TextField
          label={t('field.minDate')}
          placeholder="2025-01-31"
          value={v.minDate}
          path="/validation/minDate"
          onChange={(s) => set('minDate', s)}
        />
        <TextField
          label={t('field.maxDate')}
          placeholder="2030-12-31"
          value={v.maxDate}
          path="/validation/maxDate"
          onChange={(s) => set('maxDate', s)}
        />
      </FieldGrid>
    );
  }
  if (input.type === 'multi_choice') {
    return (
      <FieldGrid>
        <NumberField
          label={t('field.minItems')}
          min={0}
          value={v.minItems}
          path="/validation/minItems"
          onChange={(n) => set('minItems', n)}
        />
        <NumberField
          label={t('field.maxItems')}
          min={1}
          value={v.maxItems}
          path="/validation/maxItems"
          onChange={(n) => set('maxItems', n)}
        />
      </FieldGrid>
    );
  }
  return null;
}

/** Create or edit one field. */
function FieldEditor(props: {
  initial: FieldInput;
  creating: boolean;
  onDone: (f: TenantField) => void;
  onCancel: () => void;
}) {
  const t = useMessages(M);
  const styles = useStyles();
  const [input, setInput] = useState<FieldInput>(props.initial);
  const templates = useTemplateList('');
  const save = useMutation({
    mutationFn: () => (props.creating ? fieldApi.create(input) : fieldApi.update(input)),
    onSuccess: props.onDone,
  });
  const issues = new Map(issuesOfError(save.error).map((e) => [e.path.replace(/^\/body/, ''), e.message]));
  const slugs = templates.data?.items.map((x) => x.slug) ?? [];
  const applies = input.appliesTo;
  const toggleSlug = (slug: string, on: boolean) =>
    setInput({
      ...input,
      appliesTo: on ? [...(applies ?? []), slug] : (applies ?? []).filter((s) => s !== slug),
    });
  const { appliesTo: _a, status: _s, ...definition } = input;
  return (
    <IssuesContext.Provider value={issues}>
      <form
        className={styles.form}
        aria-labelledby="metadata-form-title"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <h3 id="metadata-form-title" className={styles.formTitle}>
          {props.creating ? t('form.newTitle') : t('form.editTitle', { key: input.key })}
        </h3>
        <FieldDefinitionFields
          field={definition}
          path=""
          keyReadOnly={!props.creating}
          update={(f) => setInput({ ...input, ...f })}
        />
        <Group legend={t('form.validation')}>
          <ValidationFields input={input} onChange={setInput} />
          {['choice', 'person', 'boolean'].includes(input.type) ? (
            <Text>{t('form.noValidation')}</Text>
          ) : null}
        </Group>
        <Group legend={t('form.appliesTo')}>
          <CheckField
            label={t('form.allTemplates')}
            checked={applies === null}
            onChange={(on) => setInput({ ...input, appliesTo: on ? null : [] })}
          />
          {applies === null ? null : (
            <div className={styles.checks}>
              {[...new Set([...slugs, ...applies])].map((slug) => (
                <CheckField
                  key={slug}
                  label={slug}
                  checked={applies.includes(slug)}
                  onChange={(on) => toggleSlug(slug, on)}
                />
              ))}
            </div>
          )}
        </Group>
        {props.creating ? null : (
          <SelectField
            label={t('form.status')}
            value={input.status}
            options={[
              { value: 'active', label: t('status.active') },
              { value: 'disabled', label: t('status.disabled') },
            ]}
            onChange={(status) => setInput({ ...input, status })}
          />
        )}
        {save.error ? <ErrorState error={save.error} /> : null}
        <div className={styles.actions}>
          <Button
            appearance="primary"
            type="submit"
            disabled={save.isPending || !input.key || !input.label.trim()}
          >
            {save.isPending ? t('form.saving') : props.creating ? t('form.create') : t('form.save')}
          </Button>
          <Button onClick={props.onCancel}>{t('form.cancel')}</Button>
        </div>
      </form>
    </IssuesContext.Provider>
  );
}

/** Admin → Metadata fields. */
export default function MetadataSection() {
  const t = useMessages(M);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const fields = useTenantFields();
  const [editing, setEditing] = useState<{ input: FieldInput; creating: boolean } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className={styles.root}>
      <div className={styles.header}>
        <h2 className={styles.title} id="metadata-title">
          {t('title')}
        </h2>
        <Button
          appearance="primary"
          icon={<AddRegular />}
          onClick={() => {
            setDone(null);
            setEditing({ input: blank(), creating: true });
          }}
        >
          {t('new')}
        </Button>
      </div>
      <Text>{t('intro')}</Text>
      {editing ? (
        <FieldEditor
          key={editing.creating ? '+' : editing.input.key}
          initial={editing.input}
          creating={editing.creating}
          onCancel={() => setEditing(null)}
          onDone={(f) => {
            setEditing(null);
            setDone(t('saved', { label: f.label }));
            void queryClient.invalidateQueries({ queryKey: ['admin', 'metadata-fields'] });
          }}
        />
      ) : null}
      <div role="status" aria-live="polite">
        {done ? (
          <MessageBar intent="success">
            <MessageBarBody>{done}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      <QueryView query={fields}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title={t('empty')} />
          ) : (
            <div className={styles.scroll}>
              <Table aria-labelledby="metadata-title">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('col.label')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.key')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.type')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.required')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.appliesTo')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.status')}</TableHeaderCell>
                    <TableHeaderCell>{t('col.actions')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((f) => (
                    <TableRow key={f.key}>
                      <TableCell>{f.label}</TableCell>
                      <TableCell>
                        <code>{f.key}</code>
                      </TableCell>
                      <TableCell>{t(`type.${f.type}`)}</TableCell>
                      <TableCell>{f.required ? t('yes') : t('no')}</TableCell>
                      <TableCell>
                        {f.appliesTo === null ? t('form.allTemplates') : f.appliesTo.join(', ') || '—'}
                      </TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={f.status === 'active' ? 'success' : 'warning'}>
                          {t(`status.${f.status}`)}
                        </Badge>
                      </TableCell>
                      <TableCell>
                        <Button
                          size="small"
                          icon={<EditRegular />}
                          aria-label={t('edit', { label: f.label })}
                          onClick={() => {
                            setDone(null);
                            setEditing({ input: inputOf(f), creating: false });
                          }}
                        >
                          {t('editShort')}
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )
        }
      </QueryView>
    </div>
  );
}
