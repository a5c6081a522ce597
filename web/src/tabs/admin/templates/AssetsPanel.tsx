// Icon and other assets of a template: preview, upload (a new version each), with type and size
// checked before sending and the server's refusal shown.
import {
  Button,
  Field,
  Input,
  Label,
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
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { apiResponse } from '../../../api/client.ts';
import { ErrorState } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { type SaveResult, type Template, templateApi } from './api.ts';
import * as M from './messages.ts';

const ICON_TYPES: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
/** The server's limit (src/templates/template-limits.ts). */
const MAX_ASSET_BYTES = 5 * 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  row: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap', alignItems: 'flex-start' },
  preview: {
    width: '96px',
    height: '96px',
    objectFit: 'contain',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  column: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  scroll: { overflowX: 'auto' },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/**
 * An object URL for a blob, revoked once a render without it has been committed (or the component
 * goes). Made during render, so no render shows a URL already revoked: an <img> mounted with one fails
 * to load (net::ERR_FILE_NOT_FOUND).
 */
function useObjectUrl(blob: Blob | null | undefined): string | null {
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : null), [blob]);
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  return url;
}

/** A file name the server accepts as an asset name. */
export function assetNameOf(fileName: string): string {
  const cleaned = fileName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 100) || 'file';
}

/** A native file input with its label, hint and error (Fluent has no file input). */
function FileField(props: {
  label: string;
  hint: string;
  problem: string | null;
  accept?: string;
  onFile: (file: File | undefined) => void;
}) {
  const styles = useStyles();
  const id = useId();
  const hintId = useId();
  return (
    <div className={styles.column}>
      <Label htmlFor={id} weight="semibold">
        {props.label}
      </Label>
      <input
        id={id}
        type="file"
        accept={props.accept}
        aria-describedby={hintId}
        aria-invalid={props.problem !== null}
        onChange={(e) => props.onFile(e.currentTarget.files?.[0])}
      />
      <Text id={hintId} size={200} className={props.problem ? styles.error : undefined}>
        {props.problem ?? props.hint}
      </Text>
    </div>
  );
}

function IconUpload(props: { template: Template; onSaved: (r: SaveResult) => void }) {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const { template } = props;
  const iconName = template.document.icon;
  const hasIcon = iconName !== undefined && template.assets.some((a) => a.name === iconName);
  const current = useQuery({
    queryKey: ['admin', 'templates', 'asset', template.templateId, iconName, template.currentVersion],
    queryFn: async () =>
      (await apiResponse('GET', `/templates/${template.templateId}/assets/${iconName ?? ''}`)).blob(),
    enabled: hasIcon,
  });
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const currentUrl = useObjectUrl(current.data);
  const chosenUrl = useObjectUrl(file);

  const upload = useMutation({
    mutationFn: async (chosen: File) => {
      const name = `icon.${ICON_TYPES[chosen.type] ?? 'png'}`;
      const uploaded = await templateApi.putAsset(template.templateId, name, chosen, template.currentVersion);
      if (uploaded.template.document.icon === name) return uploaded;
      // The upload stores the file; naming it the icon is a document change (one more version).
      return templateApi.save(
        template.templateId,
        { ...uploaded.template.document, icon: name },
        uploaded.template.currentVersion,
        t('assets.iconComment', { name }),
      );
    },
    onSuccess: (result) => {
      setFile(null);
      props.onSaved(result);
    },
  });

  const choose = (chosen: File | undefined) => {
    upload.reset();
    setFile(null);
    setProblem(null);
    if (!chosen) return;
    if (!(chosen.type in ICON_TYPES)) {
      setProblem(t('assets.badType', { type: chosen.type || '?' }));
      return;
    }
    if (chosen.size > MAX_ASSET_BYTES) {
      setProblem(t('assets.tooBig', { size: format.number(Math.ceil(chosen.size / 1024)) }));
      return;
    }
    setFile(chosen);
  };

  return (
    <section aria-labelledby="template-icon-title" className={styles.column}>
      <h3 id="template-icon-title">{t('assets.iconTitle')}</h3>
      <div className={styles.row}>
        <div className={styles.column}>
          <Text>{t('assets.current')}</Text>
          {currentUrl ? (
            <img
              className={styles.preview}
              src={currentUrl}
              alt={t('assets.currentAlt', { name: template.name })}
            />
          ) : (
            <Text>{hasIcon ? t('assets.loading') : t('assets.noIcon')}</Text>
          )}
        </div>
        {chosenUrl ? (
          <div className={styles.column}>
            <Text>{t('assets.chosen')}</Text>
            <img className={styles.preview} src={chosenUrl} alt={t('assets.chosenAlt')} />
          </div>
        ) : null}
      </div>
      <FileField
        label={t('assets.chooseIcon')}
        hint={t('assets.iconHint')}
        problem={problem}
        accept="image/png,image/jpeg,image/gif,image/webp"
        onFile={choose}
      />
      <div>
        <Button
          appearance="primary"
          disabled={!file || upload.isPending}
          onClick={() => file && upload.mutate(file)}
        >
          {upload.isPending ? t('assets.uploading') : t('assets.uploadIcon')}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {upload.isSuccess ? (
          <MessageBar intent="success">
            <MessageBarBody>
              {t('assets.iconSaved', { version: upload.data.template.currentVersion })}
            </MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {upload.error ? <ErrorState error={upload.error} /> : null}
    </section>
  );
}

function OtherUpload(props: { template: Template; onSaved: (r: SaveResult) => void }) {
  const t = useMessages(M);
  const styles = useStyles();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const nameOk = NAME.test(name) && !name.includes('..');
  const tooBig = file !== null && file.size > MAX_ASSET_BYTES;
  const upload = useMutation({
    mutationFn: () =>
      templateApi.putAsset(props.template.templateId, name, file as File, props.template.currentVersion),
    onSuccess: (r) => {
      setFile(null);
      setName('');
      props.onSaved(r);
    },
  });
  return (
    <section aria-labelledby="template-files-upload" className={styles.column}>
      <h3 id="template-files-upload">{t('assets.uploadTitle')}</h3>
      <FileField
        label={t('assets.chooseFile')}
        hint={t('assets.fileHint')}
        problem={tooBig ? t('assets.tooBig', { size: Math.ceil((file?.size ?? 0) / 1024) }) : null}
        onFile={(chosen) => {
          upload.reset();
          setFile(chosen ?? null);
          if (chosen) setName(assetNameOf(chosen.name));
        }}
      />
      <Field
        label={t('assets.name')}
        validationMessage={name && !nameOk ? t('assets.badName') : undefined}
        validationState={name && !nameOk ? 'error' : 'none'}
      >
        <Input value={name} onChange={(_e, d) => setName(d.value)} />
      </Field>
      <div>
        <Button disabled={!file || !nameOk || tooBig || upload.isPending} onClick={() => upload.mutate()}>
          {upload.isPending ? t('assets.uploading') : t('assets.upload')}
        </Button>
      </div>
      {upload.error ? <ErrorState error={upload.error} /> : null}
    </section>
  );
}

/** The icon, the assets of the current version and uploads. */
export function AssetsPanel(props: { template: Template; onSaved: (r: SaveResult) => void }) {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const { template } = props;
  return (
    <div className={styles.root}>
      <IconUpload template={template} onSaved={props.onSaved} />
      {template.missingAssets.length ? (
        <MessageBar intent="warning">
          <MessageBarBody>{t('assets.missing', { names: template.missingAssets.join(', ') })}</MessageBarBody>
        </MessageBar>
      ) : null}
      <section aria-labelledby="template-assets-title">
        <h3 id="template-assets-title">{t('assets.title')}</h3>
        {template.assets.length === 0 ? (
          <Text>{t('assets.none')}</Text>
        ) : (
          <div className={styles.scroll}>
            <Table size="small" aria-labelledby="template-assets-title">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('assets.name')}</TableHeaderCell>
                  <TableHeaderCell>{t('assets.type')}</TableHeaderCell>
                  <TableHeaderCell>{t('assets.size')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {template.assets.map((a) => (
                  <TableRow key={a.name}>
                    <TableCell>{a.name}</TableCell>
                    <TableCell>{a.contentType}</TableCell>
                    <TableCell>{t('assets.kb', { size: format.number(Math.ceil(a.size / 1024)) })}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </section>
      <OtherUpload template={template} onSaved={props.onSaved} />
    </div>
  );
}
