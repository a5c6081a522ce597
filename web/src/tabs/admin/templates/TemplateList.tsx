// The catalog managers' list of templates, every status, with create and capture.
import {
  Badge,
  Button,
  Field,
  Link,
  makeStyles,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowDownloadRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { navigate } from '../../../app/router.ts';
import { EmptyState, QueryView } from '../../../components/states.tsx';
import { useFormat, useMessages } from '../../../i18n/index.tsx';
import { type TemplateStatus, useTemplateList } from './api.ts';
import * as M from './messages.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  header: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  title: { margin: 0, flexGrow: 1 },
  scroll: { overflowX: 'auto' },
});

const STATUS_COLOR: Record<TemplateStatus, 'success' | 'warning' | 'informative'> = {
  active: 'success',
  disabled: 'warning',
  archived: 'informative',
};

/** An in-app link (keeps the browser's own link behaviour for new tabs). */
export function AppLink(props: { to: string; children: React.ReactNode }) {
  return (
    <Link
      href={props.to}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </Link>
  );
}

export function TemplateList() {
  const t = useMessages(M);
  const styles = useStyles();
  const format = useFormat();
  const [status, setStatus] = useState<TemplateStatus | ''>('');
  const list = useTemplateList(status);
  return (
    <div className={styles.root}>
      <div className={styles.header}>
        <h2 className={styles.title} id="templates-title">
          {t('list.title')}
        </h2>
        <Field label={t('list.status')}>
          <Select value={status} onChange={(_e, d) => setStatus(d.value as TemplateStatus | '')}>
            <option value="">{t('list.allStatuses')}</option>
            <option value="active">{t('status.active')}</option>
            <option value="disabled">{t('status.disabled')}</option>
            <option value="archived">{t('status.archived')}</option>
          </Select>
        </Field>
        <Button
          appearance="primary"
          icon={<AddRegular />}
          onClick={() => navigate('/tabs/admin/templates/new')}
        >
          {t('list.new')}
        </Button>
        <Button icon={<ArrowDownloadRegular />} onClick={() => navigate('/tabs/admin/templates/capture')}>
          {t('list.capture')}
        </Button>
      </div>
      <QueryView query={list} loadingLabel={t('list.loading')}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title={t('list.empty')} />
          ) : (
            <div className={styles.scroll}>
              <Table aria-labelledby="templates-title">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('list.name')}</TableHeaderCell>
                    <TableHeaderCell>{t('list.category')}</TableHeaderCell>
                    <TableHeaderCell>{t('list.status')}</TableHeaderCell>
                    <TableHeaderCell>{t('list.version')}</TableHeaderCell>
                    <TableHeaderCell>{t('list.updated')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {page.items.map((tpl) => (
                    <TableRow key={tpl.templateId}>
                      <TableCell>
                        <AppLink to={`/tabs/admin/templates/${encodeURIComponent(tpl.slug)}`}>
                          {tpl.name}
                        </AppLink>
                        <div>
                          <code>{tpl.slug}</code>
                        </div>
                      </TableCell>
                      <TableCell>{tpl.category}</TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={STATUS_COLOR[tpl.status]}>
                          {t(`status.${tpl.status}`)}
                        </Badge>
                      </TableCell>
                      <TableCell>{tpl.currentVersion}</TableCell>
                      <TableCell>{format.dateTime(tpl.updatedAt)}</TableCell>
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
