import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';

/** One changed field: what it was and what it becomes. */
export interface DiffChange {
  /** A stable key (`name`, `metadata.costCenter`). */
  field: string;
  /** What the reader sees for the field (its label in their language). */
  label: string;
  before: unknown;
  after: unknown;
}

/** The words of the view, in the caller's language (this component has no strings of its own). */
export interface DiffLabels {
  caption: string;
  field: string;
  before: string;
  after: string;
  /** Shown for an empty value. */
  empty: string;
}

const useStyles = makeStyles({
  wrap: { overflowX: 'auto' },
  caption: {
    textAlign: 'start',
    fontWeight: tokens.fontWeightSemibold,
    paddingBottom: tokens.spacingVerticalXS,
  },
  value: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  removed: {
    backgroundColor: tokens.colorPaletteRedBackground1,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: 'line-through',
    padding: `0 ${tokens.spacingHorizontalXXS}`,
  },
  added: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: 'none',
    padding: `0 ${tokens.spacingHorizontalXXS}`,
  },
  empty: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
});

/** A value as text: lists joined, objects as JSON. */
export function diffText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) return value.map(diffText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Value(props: { value: unknown; kind: 'removed' | 'added'; empty: string }) {
  const styles = useStyles();
  const text = diffText(props.value);
  if (!text) return <span className={styles.empty}>{props.empty}</span>;
  // <del>/<ins> tell screen readers what was removed and added, not only the colours.
  return props.kind === 'removed' ? (
    <del className={styles.removed}>{text}</del>
  ) : (
    <ins className={styles.added}>{text}</ins>
  );
}

/** Before and after of each changed field, as a table (a request's edits, a template's versions). */
export function DiffView(props: { changes: readonly DiffChange[]; labels: DiffLabels }) {
  const styles = useStyles();
  const { labels } = props;
  return (
    <div className={styles.wrap}>
      <Table size="small">
        <caption className={styles.caption}>{labels.caption}</caption>
        <TableHeader>
          <TableRow>
            <TableHeaderCell scope="col">{labels.field}</TableHeaderCell>
            <TableHeaderCell scope="col">{labels.before}</TableHeaderCell>
            <TableHeaderCell scope="col">{labels.after}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.changes.map((change) => (
            <TableRow key={change.field} data-field={change.field}>
              <TableCell>{change.label}</TableCell>
              <TableCell className={styles.value}>
                <Value value={change.before} kind="removed" empty={labels.empty} />
              </TableCell>
              <TableCell className={styles.value}>
                <Value value={change.after} kind="added" empty={labels.empty} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
