import {
  Button,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  mergeClasses,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowLeftRegular, CheckmarkCircleRegular } from '@fluentui/react-icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { navigate } from '../../../app/router.ts';
import { QueryView } from '../../../components/states.tsx';
import { useMessages } from '../../../i18n/index.tsx';
import {
  type CatalogTemplate,
  createRequest,
  type RequestPreview,
  type RequestView,
  useCatalogTemplate,
  validateRequest,
} from '../api.ts';
import { onRouterClick } from '../CatalogHome.tsx';
import { type CatalogMessage, messages } from '../messages.ts';
import { useDebounced } from '../useDebounced.ts';
import {
  checkStep,
  type Draft,
  emptyDraft,
  type Errors,
  firstStepWithError,
  type MetaValue,
  nameProblems,
  previewErrors,
  previewMetadata,
  previewUsesStandIns,
  requestBody,
  type StepId,
  STEPS,
  stepOf,
  submitErrors,
} from './draft.ts';
import { NameStep } from './NameStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { DetailsStep, PeopleStep, TemplateStep, WelcomeStep } from './Steps.tsx';

const useStyles = makeStyles({
  page: { display: 'grid', gap: tokens.spacingVerticalL, maxWidth: '840px' },
  steps: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    counterReset: 'step',
  },
  step: {
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusCircular,
    color: tokens.colorNeutralForeground2,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  done: { color: tokens.colorNeutralForeground1 },
  current: {
    color: tokens.colorNeutralForegroundOnBrand,
    backgroundColor: tokens.colorBrandBackground,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke1}`,
  },
  panel: {
    display: 'grid',
    gap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  heading: { outlineOffset: tokens.strokeWidthThick },
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', justifyContent: 'flex-end' },
});

const STEP_TITLE: Record<StepId, CatalogMessage> = {
  template: 'step.template',
  name: 'step.name',
  details: 'step.details',
  people: 'step.people',
  welcome: 'step.welcome',
  review: 'step.review',
};

/** What the name step validates: the name, with details entered so far or stand-ins for them. */
function namePreviewBody(template: CatalogTemplate, draft: Draft) {
  const body = requestBody(template, { ...draft, owners: [], members: [] });
  return { ...body, name: draft.name.trim(), metadata: previewMetadata(template, draft) };
}

function newKey(): string {
  return crypto.randomUUID();
}

/** The live naming preview: the request validated as the name is typed (debounced). */
function useNamePreview(template: CatalogTemplate, draft: Draft) {
  const name = useDebounced(draft.name.trim(), 400);
  const body = namePreviewBody(template, { ...draft, name });
  const queryKey = ['catalog', 'names', template.slug, template.version, name, body.metadata];
  const query = useQuery({
    queryKey,
    queryFn: ({ signal }) => validateRequest(body, signal),
    enabled: name.length > 0,
    staleTime: 10_000,
    placeholderData: (previous) => previous,
  });
  return { name, query };
}

function Confirmation(props: { request: RequestView }) {
  const t = useMessages(messages);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const { request } = props;
  const path = `/tabs/requests/${request.requestId}`;
  const status = `status.${request.status}` as CatalogMessage;
  return (
    <>
      <Text as="h2" size={500} weight="semibold" tabIndex={-1} ref={heading}>
        <CheckmarkCircleRegular aria-hidden /> {t('done.title')}
      </Text>
      <MessageBar intent="success" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{request.names?.displayName ?? request.name}</MessageBarTitle>
          {t('done.body', { id: request.requestId, status: t(status) })}
        </MessageBarBody>
      </MessageBar>
      <Text>
        <Link href={path} onClick={onRouterClick(path)}>
          {t('done.follow')}
        </Link>
      </Text>
      <div>
        <Button onClick={() => navigate('/tabs/catalog')}>{t('done.catalog')}</Button>
      </div>
    </>
  );
}

function Wizard(props: { template: CatalogTemplate }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const queryClient = useQueryClient();
  const { template } = props;
  const [step, setStep] = useState<StepId>('template');
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(template.metadataFields));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<RequestPreview | undefined>();
  const [done, setDone] = useState<RequestView | undefined>();
  const [fromReview, setFromReview] = useState(false);
  const idempotencyKey = useRef(newKey());
  const heading = useRef<HTMLHeadingElement>(null);
  const panel = useRef<HTMLFormElement>(null);
  const names = useNamePreview(template, draft);
  const index = STEPS.indexOf(step);

  // Focus follows the step: its heading is announced, the form starts there.
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) heading.current?.focus();
    mounted.current = true;
  }, [step]);

  const change = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const key of Object.keys(patch)) delete next[key];
      return next;
    });
  };
  const changeMetadata = (key: string, value: MetaValue) => {
    setDraft((d) => ({ ...d, metadata: { ...d.metadata, [key]: value } }));
    setErrors((e) => {
      const next = { ...e };
      delete next[`metadata.${key}`];
      return next;
    });
  };

  const focusFirstInvalid = () =>
    requestAnimationFrame(() => panel.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const goTo = (target: StepId, found: Errors = {}) => {
    setErrors(found);
    setStep(target);
    if (Object.keys(found).length > 0) focusFirstInvalid();
  };

  /** Stops on the step's own problems; true when it may be left. */
  const stepIsValid = async (current: StepId): Promise<boolean> => {
    const found = checkStep(t, current, template, draft);
    if (current === 'name' && !found.name) {
      const body = namePreviewBody(template, draft);
      const checked = await queryClient.fetchQuery({
        queryKey: ['catalog', 'names', template.slug, template.version, body.name, body.metadata],
        queryFn: ({ signal }) => validateRequest(body, signal),
        staleTime: 10_000,
      });
      const problem = nameProblems(t, checked);
      if (problem) found.name = problem;
    }
    if (current === 'details' && Object.keys(found).length === 0) {
      const checked = await validateRequest(requestBody(template, draft));
      for (const [key, message] of Object.entries(previewErrors(t, checked)))
        if (key.startsWith('metadata.')) found[key] = message;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) focusFirstInvalid();
    return Object.keys(found).length === 0;
  };

  /** Every step checked here and by the server; the review opens only on a valid request. */
  const review = async () => {
    for (const s of STEPS) {
      const found = checkStep(t, s, template, draft);
      if (Object.keys(found).length > 0) return goTo(s, found);
    }
    const checked = await validateRequest(requestBody(template, draft));
    setPreview(checked);
    const found = previewErrors(t, checked);
    const first = firstStepWithError(found);
    if (first && first !== 'review') return goTo(first, found);
    setFromReview(false);
    goTo('review', found);
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      const found = submitErrors(t, template, error);
      const first = firstStepWithError(found) ?? step;
      goTo(first === 'review' ? step : first, found);
    } finally {
      setBusy(false);
    }
  };

  const next = () =>
    run(async () => {
      if (!(await stepIsValid(step))) return;
      const following = STEPS[index + 1];
      if (fromReview || following === 'review') return review();
      if (following) goTo(following);
    });

  const submit = () =>
    run(async () => {
      try {
        const created = await createRequest(requestBody(template, draft), idempotencyKey.current);
        await queryClient.invalidateQueries({ queryKey: ['requests'] });
        setDone(created);
      } catch (error) {
        idempotencyKey.current = newKey();
        throw error;
      }
    });

  const edit = (target: StepId) => {
    setFromReview(true);
    goTo(target);
  };

  const body = () => {
    switch (step) {
      case 'template':
        return <TemplateStep template={template} />;
      case 'name':
        return (
          <NameStep
            draft={draft}
            errors={errors}
            onChange={change}
            standIns={previewUsesStandIns(template, draft)}
            preview={{
              name: names.name,
              data: names.query.data,
              isFetching: names.query.isFetching,
              error: names.query.error,
            }}
          />
        );
      case 'details':
        return <DetailsStep template={template} draft={draft} errors={errors} onChange={changeMetadata} />;
      case 'people':
        return <PeopleStep template={template} draft={draft} errors={errors} onChange={change} />;
      case 'welcome':
        return (
          <WelcomeStep
            draft={draft}
            errors={errors}
            onChange={change}
            templateMessage={names.query.data?.names?.welcomeMessage}
          />
        );
      case 'review':
        return <ReviewStep template={template} draft={draft} preview={preview} onEdit={edit} />;
    }
  };

  const formError = errors.form;
  const counted = Object.keys(errors).filter((k) => stepOf(k) === step || k === 'form').length;
  return (
    <div className={styles.page}>
      <Text as="h1" size={700} weight="semibold">
        {t('wizard.title', { name: template.name })}
      </Text>
      {done ? (
        <div className={styles.panel}>
          <Confirmation request={done} />
        </div>
      ) : (
        <>
          <nav aria-label={t('wizard.progress')}>
            <ol className={styles.steps}>
              {STEPS.map((s, i) => (
                <li
                  key={s}
                  className={mergeClasses(
                    styles.step,
                    i < index && styles.done,
                    s === step && styles.current,
                  )}
                  aria-current={s === step ? 'step' : undefined}
                >
                  {t('wizard.stepOf', { n: i + 1, title: t(STEP_TITLE[s]) })}
                </li>
              ))}
            </ol>
          </nav>
          <form
            className={styles.panel}
            ref={panel}
            noValidate
            aria-labelledby="wizard-step"
            onSubmit={(event) => {
              event.preventDefault();
              if (!busy) void (step === 'review' ? submit() : next());
            }}
          >
            <Text
              as="h2"
              size={500}
              weight="semibold"
              id="wizard-step"
              tabIndex={-1}
              ref={heading}
              className={styles.heading}
            >
              {t('wizard.stepHeading', { n: index + 1, total: STEPS.length, title: t(STEP_TITLE[step]) })}
            </Text>
            {counted > 0 ? (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{t('wizard.fix', { count: counted })}</MessageBarTitle>
                  {formError ?? null}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {body()}
            <div className={styles.actions}>
              {index > 0 ? (
                <Button
                  type="button"
                  icon={<ArrowLeftRegular />}
                  disabled={busy}
                  onClick={() => goTo(STEPS[index - 1] ?? 'template')}
                >
                  {t('wizard.back')}
                </Button>
              ) : (
                <Button
                  type="button"
                  onClick={() => navigate(`/tabs/catalog/${encodeURIComponent(template.slug)}`)}
                >
                  {t('wizard.cancel')}
                </Button>
              )}
              <Button
                type="submit"
                appearance="primary"
                disabled={busy}
                icon={busy ? <Spinner size="tiny" /> : undefined}
              >
                {step === 'review'
                  ? t('wizard.submit')
                  : fromReview || STEPS[index + 1] === 'review'
                    ? t('wizard.toReview')
                    : t('wizard.next')}
              </Button>
            </div>
            <div role="status" className={styles.srOnly}>
              {busy ? (step === 'review' ? t('wizard.submitting') : t('wizard.checking')) : ''}
            </div>
          </form>
        </>
      )}
    </div>
  );
}

/** The request wizard: template → name → details → people → welcome message → review → submit. */
export default function RequestWizard(props: { slug: string }) {
  const t = useMessages(messages);
  const template = useCatalogTemplate(props.slug);
  const back = `/tabs/catalog/${encodeURIComponent(props.slug)}`;
  return (
    <>
      <Link href={back} onClick={onRouterClick(back)}>
        <ArrowLeftRegular aria-hidden /> {t('wizard.backToTemplate')}
      </Link>
      <QueryView query={template} loadingLabel={t('template.loading')}>
        {(data) => <Wizard template={data} />}
      </QueryView>
    </>
  );
}
