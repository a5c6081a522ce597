// Admin → Naming and approval policies: the naming rule editor with its live preview, and the CEL
// rule tester for audience and approver rules.
import { Divider, makeStyles, tokens } from '@fluentui/react-components';
import { useMessages } from '../../../i18n/index.tsx';
import * as M from './messages.ts';
import { NamingRuleEditor } from './NamingRuleEditor.tsx';
import { RuleTester } from './RuleTester.tsx';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL },
  title: { margin: 0 },
});

/** The policies section of the Admin tab (templates:write). */
export default function PoliciesSection() {
  const t = useMessages(M);
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <h2 className={styles.title}>{t('title')}</h2>
      <NamingRuleEditor />
      <Divider />
      <RuleTester />
    </div>
  );
}
