import {
  Button,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useMessages } from '../../../i18n/index.tsx';
import { messages } from '../messages.ts';

const useStyles = makeStyles({
  box: { display: 'grid', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
  field: { flexGrow: 1, minWidth: '200px' },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** A secret shown this once: a warning, the value read-only, and a copy button that says it copied. */
export function SecretOnce(props: { label: string; value: string }) {
  const t = useMessages(messages);
  const styles = useStyles();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className={styles.box}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{t('secret.title')}</MessageBarTitle>
          {t('secret.body')}
        </MessageBarBody>
      </MessageBar>
      <div className={styles.row}>
        <Field label={props.label} className={styles.field}>
          <Input
            readOnly
            value={props.value}
            input={{ className: styles.code }}
            onFocus={(e) => e.currentTarget.select()}
          />
        </Field>
        <Button icon={copied === 'yes' ? <CheckmarkRegular /> : <CopyRegular />} onClick={() => void copy()}>
          {copied === 'yes' ? t('secret.copied') : t('secret.copy')}
        </Button>
      </div>
      <div role="status">
        {copied === 'failed' ? t('secret.copyFailed') : copied === 'yes' ? t('secret.copied') : ''}
      </div>
    </div>
  );
}

/** A dialog's body that shows a new secret once, with its title and the one button that closes it. */
export function SecretOnceBody(props: { title: string; label: string; value: string; onDone: () => void }) {
  const t = useMessages(messages);
  return (
    <DialogBody>
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <SecretOnce label={props.label} value={props.value} />
      </DialogContent>
      <DialogActions>
        <Button appearance="primary" onClick={props.onDone}>
          {t('secret.done')}
        </Button>
      </DialogActions>
    </DialogBody>
  );
}
