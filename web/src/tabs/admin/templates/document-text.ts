// The code view's text: a template document as JSON or YAML, parsed back with the position of a
// syntax error, and JSON Pointers (the server's issues) mapped to line numbers.
import { isNode, LineCounter, parseDocument, stringify } from 'yaml';

export type CodeFormat = 'json' | 'yaml';

/** The document as text in the chosen format. */
export function serialize(doc: unknown, format: CodeFormat): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 });
}

export type Parsed = { ok: true; value: unknown } | { ok: false; line: number; message: string };

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses the text; a syntax error comes with its line. */
export function parseText(text: string, format: CodeFormat): Parsed {
  if (format === 'json') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const line = /line (\d+)/.exec(message)?.[1];
      const position = /position (\d+)/.exec(message)?.[1];
      return {
        ok: false,
        line: line ? Number(line) : position ? lineAt(text, Number(position)) : 1,
        message,
      };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    return { ok: false, line: lineCounter.linePos(first.pos[0]).line, message: first.message };
  }
  return { ok: true, value: doc.toJS() as unknown };
}

/** `/channels/0/displayName` → ['channels', 0, 'displayName'] (RFC 6901 unescaping). */
export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * The line of each pointer in the text (JSON is YAML, so one parser serves both). A pointer to
 * something absent (a missing required property) lands on its nearest existing parent.
 */
export function linesOf(text: string, pointers: readonly string[]): Map<string, number> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const out = new Map<string, number>();
  for (const pointer of pointers) {
    let path = pointerSegments(pointer);
    let line = 1;
    while (path.length > 0) {
      const node = doc.getIn(path, true);
      if (isNode(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        break;
      }
      path = path.slice(0, -1);
    }
    out.set(pointer, line);
  }
  return out;
}
