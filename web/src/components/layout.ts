import { type GriffelStyle, tokens } from '@fluentui/react-components';

/**
 * The layout of a detail page (a request, an approval): spread into a page's `makeStyles` so the
 * tabs share one look — `makeStyles({ ...DETAIL_PAGE, own: {…} })`.
 */
export const DETAIL_PAGE = {
  page: { display: 'grid', gap: tokens.spacingVerticalXL },
  header: { display: 'grid', gap: tokens.spacingVerticalS },
  /** A card-like section on the page's background. */
  section: {
    display: 'grid',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow2,
    minWidth: 0,
  },
  /** A `<dl>` of label/value pairs in two columns. */
  details: {
    display: 'grid',
    gridTemplateColumns: 'minmax(8em, max-content) 1fr',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
} satisfies Record<string, GriffelStyle>;
