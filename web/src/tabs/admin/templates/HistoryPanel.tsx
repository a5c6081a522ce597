// Version history of a template: every version, a readable diff between any two, and rollback.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  Select,
  Field,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { EmptyState, ErrorState, Loading, QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import {
  type PatchOperation,
  type SaveResult,
  templateApi,
  type TemplateVersion,
  useVersions,
} from './api.ts';
import { pointerSegments } from './document-text.ts';
import * as M from './messages.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  scroll: { overflowX: 'auto' },
  pickers: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap', alignItems: 'end' },
  changes: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  change: {
    padding: tokens.spacingHorizontalS,
    borderLeft: `${tokens.strokeWidthThicker} solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
    overflowWrap: 'anywhere',
  },
  added: { borderLeftColor: tokens.colorPaletteGreenBorder2 },
  removed: { borderLeftColor: tokens.colorPaletteRedBorder2 },
  changed: { borderLeftColor: tokens.colorPaletteYellowBorder2 },
  old: { textDecorationLine: 'line-through', color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/** The value at a JSON Pointer, or undefined. */
function valueAt(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const segment of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** A value in one line, shortened. */
function show(value: unknown): string {
  const text = value === undefined ? '—' : typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

/** One change of a JSON Patch, with the old value read from the older document. */
function Change(props: { op: PatchOperation; before: unknown }) {
  const t = useMessages(M);
  const styles = useStyles();
  const { op } = props;
  const where = <code className={styles.code}>{op.path || '/'}</code>;
  if (op.op === 'add') {
    return (
      <li className={`${styles.change} ${styles.added}`}>
        <Text weight="semibold">{t('history.added')}</Text> {where}:{' '}
        <span className={styles.code}>{show(op.value)}</span>
      </li>
    );
  }
  if (op.op === 'remove') {
    return (
      <li className={`${styles.change} ${styles.removed}`}>
        <Text weight="semibold">{t('history.removed')}</Text> {where}:{' '}
        <span className={`${styles.code} ${styles.old}`}>{show(valueAt(props.before, op.path))}</span>
      </li>
    );
  }
  if (op.op === 'move' || op.op === 'copy') {
    return (
      <li className={`${styles.change} ${styles.changed}`}>
        <Text weight="semibold">{t(op.op === 'move' ? 'history.moved' : 'history.copied')}</Text>{' '}
        <code className={styles.code}>{op.from}</code> → {where}
      </li>
    );
  }
  return (
    <li className={`${styles.change} ${styles.changed}`}>
      <Text weight="semibold">{t('history.changed')}</Text> {where}:{' '}
      <span className={`${styles.code} ${styles.old}`}>{show(valueAt(props.before, op.path))}</span> →{' '}
      <span className={styles.code}>{show(op.value)}</span>
    </li>
  );
}

/** The differences between two versions: the server's summary and every change. */
function DiffView(props: { templateId: string; from: number; to: number }) {
  const t = useMessages(M);
  const styles = useStyles();
  const { templateId, from, to } = props;
  const diff = useQuery({
    queryKey: ['admin', 'templates', 'diff', templateId, from, to],
    queryFn: async () => {
      const [d, older] = await Promise.all([
        templateApi.diff(templateId, from, to),
        templateApi.version(templateId, from),
      ]);
      return { ...d, before: older.document };
    },
  });
  return (
    <section aria-labelledby="template-diff-title">
      <h3 id="template-diff-title">{t('history.diffTitle', { from, to })}</h3>
      <QueryView query={diff}>
        {(d) =>
          d.patch.length === 0 ? (
            <Text>{t('history.noChange')}</Text>
          ) : (
            <>
              {d.summary.length ? (
                <ul>
                  {d.summary.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              ) : null}
              <ul className={styles.changes} aria-label={t('history.changes')}>
                {d.patch.map((op, i) => (
                  <Change key={i} op={op} before={d.before} />
                ))}
              </ul>
            </>
          )
        }
      </QueryView>
    </section>
  );
}

/** Asks before a rollback, then makes the new version. */
function RollbackDialog(props: {
  templateId: string;
  version: number;
  current: number;
  onClose: () => void;
  onDone: (result: SaveResult) => void;
}) {
  const t = useMessages(M);
  const rollback = useMutation({
    mutationFn: () => templateApi.rollback(props.templateId, props.version, props.current),
    onSuccess: props.onDone,
  });
  return (
    <Dialog open onOpenChange={(_e, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t('history.rollbackTitle', { version: props.version })}</DialogTitle>
          <DialogContent>
            <Text>{t('history.rollbackBody', { version: props.version, next: props.current + 1 })}</Text>
            {rollback.error ? <ErrorState error={rollback.error} /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={props.onClose}>
              {t('common.cancel')}
            </Button>
            <Button appearance="primary" disabled={rollback.isPending} onClick={() => rollback.mutate()}>
              {rollback.isPending ? t('history.rollingBack') : t('history.rollback')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function HistoryPanel(props: {
  templateId: string;
  current: number;
  onSaved: (r: SaveResult) => void;
}) {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const versions = useVersions(props.templateId);
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null);
  const [rollbackTo, setRollbackTo] = useState<number | null>(null);
  // By default: what the latest version changed.
  useEffect(() => {
    setPair(props.current > 1 ? { from: props.current - 1, to: props.current } : null);
  }, [props.current]);
  if (versions.isPending) return <Loading />;
  if (versions.error) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  const items: TemplateVersion[] = versions.data.items;
  if (items.length === 0) return <EmptyState />;
  const numbers = items.map((v) => v.version);
  return (
    <div className={styles.root}>
      <section aria-labelledby="template-versions-title">
        <h3 id="template-versions-title">{t('history.title')}</h3>
        <div className={styles.scroll}>
          <Table aria-labelledby="template-versions-title" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('history.version')}</TableHeaderCell>
                <TableHeaderCell>{t('history.when')}</TableHeaderCell>
                <TableHeaderCell>{t('history.by')}</TableHeaderCell>
                <TableHeaderCell>{t('history.comment')}</TableHeaderCell>
                <TableHeaderCell>{t('history.actions')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((v) => (
                <TableRow key={v.version}>
                  <TableCell>
                    {v.version === props.current
                      ? t('history.currentVersion', { version: v.version })
                      : v.version}
                  </TableCell>
                  <TableCell>{format.dateTime(v.createdAt)}</TableCell>
                  <TableCell>{v.createdBy}</TableCell>
                  <TableCell>{v.comment ?? '—'}</TableCell>
                  <TableCell>
                    {v.version > 1 ? (
                      <Button
                        size="small"
                        aria-label={t('history.showChangesOf', { version: v.version })}
                        onClick={() => setPair({ from: v.version - 1, to: v.version })}
                      >
                        {t('history.showChanges')}
                      </Button>
                    ) : null}{' '}
                    {v.version === props.current ? null : (
                      <Button
                        size="small"
                        aria-label={t('history.rollbackTo', { version: v.version })}
                        onClick={() => setRollbackTo(v.version)}
                      >
                        {t('history.rollback')}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </section>
      {numbers.length > 1 ? (
        <div className={styles.pickers}>
          <Field label={t('history.from')}>
            <Select
              value={String(pair?.from ?? '')}
              onChange={(_e, d) => setPair({ from: Number(d.value), to: pair?.to ?? props.current })}
            >
              {numbers.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('history.to')}>
            <Select
              value={String(pair?.to ?? '')}
              onChange={(_e, d) => setPair({ from: pair?.from ?? 1, to: Number(d.value) })}
            >
              {numbers.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      ) : null}
      {pair ? <DiffView templateId={props.templateId} from={pair.from} to={pair.to} /> : null}
      {rollbackTo !== null ? (
        <RollbackDialog
          templateId={props.templateId}
          version={rollbackTo}
          current={props.current}
          onClose={() => setRollbackTo(null)}
          onDone={(r) => {
            setRollbackTo(null);
            props.onSaved(r);
          }}
        />
      ) : null}
    </div>
  );
}
