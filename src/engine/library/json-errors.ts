/**
 * The reason JSON.parse gives, fit for a one-line message. V8 quotes the text it choked on
 * (`Unexpected token '\0', "\n\0\0" is not valid JSON`), raw: newlines and control characters of a
 * broken file would break the message over lines and garble a terminal. They are escaped here and
 * a long quote is cut.
 */
export function jsonSyntaxReason(e: unknown, max = 200): string {
  const raw = e instanceof Error ? e.message : String(e);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  const escaped = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
