// The template editor's code view: the document as JSON or YAML in a plain, accessible textarea
// with line numbers; syntax errors and the server's schema issues are listed with their line.
import {
  Button,
  Label,
  makeStyles,
  mergeClasses,
  Radio,
  RadioGroup,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useMessages } from '../../../i18n/index.tsx';
import type { Issue } from './api.ts';
import { type CodeFormat, linesOf, parseText, serialize } from './document-text.ts';
import * as M from './messages.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  field: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  editor: {
    display: 'flex',
    height: '50vh',
    minHeight: '240px',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    overflow: 'hidden',
    ':focus-within': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  gutter: {
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    textAlign: 'right',
    color: tokens.colorNeutralForeground3,
    backgroundColor: tokens.colorNeutralBackground3,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: '20px',
    overflow: 'hidden',
    height: '100%',
    userSelect: 'none',
    minWidth: '3.5em',
    boxSizing: 'border-box',
  },
  bad: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightBold },
  text: {
    flexGrow: 1,
    minWidth: 0,
    height: '100%',
    boxSizing: 'border-box',
    margin: 0,
    border: 'none',
    outline: 'none',
    resize: 'none',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: '20px',
    whiteSpace: 'pre',
    overflow: 'auto',
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  issues: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  issue: { color: tokens.colorPaletteRedForeground1 },
  ok: { color: tokens.colorPaletteGreenForeground1 },
});

/** One problem shown under the editor. */
interface Problem {
  line: number;
  path: string | null;
  message: string;
}

/** Moves the caret to the start of a line and focuses the textarea. */
function goToLine(area: HTMLTextAreaElement, line: number): void {
  const lines = area.value.split('\n');
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
  area.scrollTop = Math.max(0, (line - 3) * 20);
}

export function CodeView(props: {
  doc: unknown;
  issues: readonly Issue[];
  validating: boolean;
  format: CodeFormat;
  onFormat: (format: CodeFormat) => void;
  /** A parsed document after each edit that parses. */
  onDocument: (doc: unknown) => void;
  /** Whether the text currently has a syntax error (the draft keeps the last good document). */
  onSyntaxError: (broken: boolean) => void;
}) {
  const t = useMessages(M);
  const styles = useStyles();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const textId = useId();
  const hintId = useId();
  const [text, setText] = useState(() => serialize(props.doc, props.format));
  const [syntax, setSyntax] = useState<{ line: number; message: string } | null>(null);

  const changeFormat = (format: CodeFormat) => {
    if (syntax) return;
    const parsed = parseText(text, props.format);
    setText(serialize(parsed.ok ? parsed.value : props.doc, format));
    props.onFormat(format);
  };

  const edit = (value: string) => {
    setText(value);
    const parsed = parseText(value, props.format);
    if (parsed.ok) {
      setSyntax(null);
      props.onSyntaxError(false);
      props.onDocument(parsed.value);
    } else {
      setSyntax({ line: parsed.line, message: parsed.message });
      props.onSyntaxError(true);
    }
  };

  // When the code view closes with broken text, the draft is the last good document.
  const { onSyntaxError } = props;
  useEffect(() => () => onSyntaxError(false), [onSyntaxError]);

  const problems: Problem[] = useMemo(() => {
    if (syntax) return [{ line: syntax.line, path: null, message: syntax.message }];
    const lines = linesOf(
      text,
      props.issues.map((i) => i.path),
    );
    return props.issues
      .map((i) => ({ line: lines.get(i.path) ?? 1, path: i.path || '/', message: i.message }))
      .sort((a, b) => a.line - b.line);
  }, [syntax, text, props.issues]);

  const badLines = new Set(problems.map((p) => p.line));
  const lineCount = text.split('\n').length;
  const numbers = Array.from({ length: lineCount }, (_x, i) => i + 1);

  return (
    <div className={styles.root}>
      <RadioGroup
        layout="horizontal"
        aria-label={t('code.format')}
        value={props.format}
        onChange={(_e, data) => changeFormat(data.value as CodeFormat)}
      >
        <Radio value="yaml" label="YAML" disabled={syntax !== null} />
        <Radio value="json" label="JSON" disabled={syntax !== null} />
      </RadioGroup>
      <div className={styles.field}>
        <Label htmlFor={textId} weight="semibold">
          {t('code.label', { format: props.format.toUpperCase() })}
        </Label>
        <Text id={hintId} size={200}>
          {t('code.hint')}
        </Text>
        <div className={styles.editor}>
          <pre className={styles.gutter} ref={gutter} aria-hidden="true">
            {numbers.map((n) => (
              <div key={n} className={badLines.has(n) ? styles.bad : undefined}>
                {badLines.has(n) ? `● ${n}` : n}
              </div>
            ))}
          </pre>
          <textarea
            id={textId}
            ref={area}
            className={styles.text}
            value={text}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            wrap="off"
            aria-invalid={problems.length > 0}
            aria-describedby={`${hintId} template-code-problems`}
            onChange={(e) => edit(e.target.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
      </div>
      <div id="template-code-problems" role="status" aria-live="polite">
        {problems.length === 0 ? (
          <Text className={styles.ok}>{props.validating ? t('code.validating') : t('code.valid')}</Text>
        ) : (
          <>
            <Text weight="semibold">
              {syntax ? t('code.syntaxError') : t('code.issues', { count: problems.length })}
            </Text>
            <ul className={styles.issues}>
              {problems.map((p, i) => (
                <li key={i} className={mergeClasses(styles.issue)}>
                  <Button
                    appearance="transparent"
                    size="small"
                    onClick={() => area.current && goToLine(area.current, p.line)}
                  >
                    {t('code.line', { line: p.line })}
                  </Button>
                  {p.path ? <code>{p.path}</code> : null} {p.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
