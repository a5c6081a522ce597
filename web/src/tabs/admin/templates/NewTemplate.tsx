// Creating a template: from scratch or as a copy of another, or captured from an existing team.
import { Button, makeStyles, MessageBar, MessageBarBody, Text, tokens } from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../../../api/client.ts';
import { navigate } from '../../../app/router.ts';
import { ErrorState } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import { type CaptureResult, templateApi, templateKeys, useTemplateList } from './api.ts';
import { FieldGrid, SelectField, TextField } from './form-parts.tsx';
import * as M from './messages.ts';
import { AppLink } from './TemplateList.tsx';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '800px' },
  title: { margin: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `Sales deal room` → `sales-deal-room`. */
export function slugOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Field errors of a refused create, by JSON Pointer. */
function fieldError(error: unknown, path: string): string | undefined {
  return error instanceof ApiError ? error.fieldErrors.find((e) => e.path === path)?.message : undefined;
}

function useSlug() {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [touched, setTouched] = useState(false);
  return {
    name,
    slug: touched ? slug : slugOf(name),
    setName,
    setSlug: (v: string) => {
      setTouched(true);
      setSlug(v);
    },
  };
}

/** /tabs/admin/templates/new */
export function NewTemplate() {
  const t = useMessages(M);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const ids = useSlug();
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [copyOf, setCopyOf] = useState('');
  const all = useTemplateList('');
  const create = useMutation({
    mutationFn: async () => {
      const source = all.data?.items.find((x) => x.templateId === copyOf)?.document;
      const document = {
        ...(source ?? { schemaVersion: 1 }),
        slug: ids.slug,
        name: ids.name.trim(),
        description: description.trim(),
        ...(category.trim() ? { category: category.trim() } : {}),
      };
      // A copy's assets stay with the original: drop references to them.
      if (source) {
        delete (document as Record<string, unknown>).icon;
        (document as Record<string, unknown>).screenshots = [];
      }
      return templateApi.create(document, source ? t('new.copyComment', { name: source.name }) : undefined);
    },
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
      navigate(`/tabs/admin/templates/${encodeURIComponent(created.slug)}`);
    },
  });
  const slugProblem =
    ids.slug && !SLUG.test(ids.slug) ? t('new.slugInvalid') : fieldError(create.error, '/slug');
  return (
    <form
      className={styles.root}
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <AppLink to="/tabs/admin/templates">{t('editor.back')}</AppLink>
      <h2 className={styles.title}>{t('new.title')}</h2>
      <FieldGrid>
        <TextField label={t('form.name')} required value={ids.name} path="/name" onChange={ids.setName} />
        <TextField
          label={t('form.slug')}
          required
          mono
          hint={slugProblem ?? t('new.slugHint')}
          value={ids.slug}
          onChange={ids.setSlug}
        />
        <TextField label={t('form.category')} value={category} onChange={setCategory} placeholder="General" />
        <SelectField
          label={t('new.startFrom')}
          value={copyOf}
          options={[
            { value: '', label: t('new.blank') },
            ...(all.data?.items ?? []).map((x) => ({
              value: x.templateId,
              label: t('new.copyOf', { name: x.name }),
            })),
          ]}
          onChange={setCopyOf}
        />
      </FieldGrid>
      <TextField label={t('form.description')} multiline value={description} onChange={setDescription} />
      {create.error ? <ErrorState error={create.error} /> : null}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          type="submit"
          disabled={!ids.name.trim() || !SLUG.test(ids.slug) || create.isPending}
        >
          {create.isPending ? t('new.creating') : t('new.create')}
        </Button>
        <Button onClick={() => navigate('/tabs/admin/templates')}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

/** `GET /me/teams`: a team the signed-in user is in. */
interface JoinedTeam {
  teamId: string;
  displayName: string;
  description: string | null;
  isArchived: boolean;
}

/** /tabs/admin/templates/capture */
export function CaptureTemplate() {
  const t = useMessages(M);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const ids = useSlug();
  const [picked, setPicked] = useState('');
  const [teamId, setTeamId] = useState('');
  const [description, setDescription] = useState('');
  // The teams the user is in, read with their own rights (Graph on their behalf): only those may be
  // captured by a user. Any of them by its id too, for a long list.
  const teams = useQuery({
    queryKey: ['me', 'teams'],
    queryFn: () => api<{ items: JoinedTeam[] }>('GET', '/me/teams').then((page) => page.items),
    retry: false,
  });
  const chosenTeam = picked || teamId.trim();
  const capture = useMutation({
    mutationFn: () =>
      templateApi.capture({
        teamId: chosenTeam,
        slug: ids.slug,
        name: ids.name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: templateKeys.all }),
  });
  const done: CaptureResult | undefined = capture.data;
  return (
    <form
      className={styles.root}
      onSubmit={(e) => {
        e.preventDefault();
        capture.mutate();
      }}
    >
      <AppLink to="/tabs/admin/templates">{t('editor.back')}</AppLink>
      <h2 className={styles.title}>{t('capture.title')}</h2>
      <Text>{t('capture.intro')}</Text>
      {teams.error ? <ErrorState error={teams.error} /> : null}
      <FieldGrid>
        <SelectField
          label={t('capture.team')}
          hint={teams.isPending ? t('list.loading') : t('capture.teamHint')}
          value={picked}
          options={[
            { value: '', label: t('capture.otherTeam') },
            ...(teams.data ?? []).map((team) => ({
              value: team.teamId,
              label: team.isArchived ? t('capture.archived', { name: team.displayName }) : team.displayName,
            })),
          ]}
          onChange={setPicked}
        />
        {picked ? null : (
          <TextField label={t('capture.teamId')} mono required value={teamId} onChange={setTeamId} />
        )}
        <TextField label={t('form.name')} required value={ids.name} onChange={ids.setName} />
        <TextField
          label={t('form.slug')}
          required
          mono
          hint={ids.slug && !SLUG.test(ids.slug) ? t('new.slugInvalid') : t('new.slugHint')}
          value={ids.slug}
          onChange={ids.setSlug}
        />
      </FieldGrid>
      <TextField label={t('form.description')} multiline value={description} onChange={setDescription} />
      {capture.error ? <ErrorState error={capture.error} /> : null}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          type="submit"
          disabled={!chosenTeam || !ids.name.trim() || !SLUG.test(ids.slug) || capture.isPending}
        >
          {capture.isPending ? t('capture.running') : t('capture.run')}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {done ? (
          <MessageBar intent={done.warnings.length ? 'warning' : 'success'} layout="multiline">
            <MessageBarBody>
              {t('capture.done', { slug: done.slug, version: done.version })}
              {done.warnings.length ? (
                <ul>
                  {done.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              ) : null}{' '}
              <AppLink to={`/tabs/admin/templates/${encodeURIComponent(done.slug)}`}>
                {t('capture.open')}
              </AppLink>
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
    </form>
  );
}
