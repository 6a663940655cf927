// CSV as RFC 4180 writes it and spreadsheets read it: `"` quoting, CRLF line ends. Cells come from
// feeds and members, so text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
// first) gets a leading `'`, OWASP's advice on CSV injection.
//
// A spreadsheet may not split where we do. Excel in Indonesian separates fields with `;`, some
// readers split on every separator and line break whatever the quotes: so wherever a value holds a
// `,`, `;` or line break followed by a formula character, a `'` goes in after the break too, and
// a value holding `;` is quoted. Then no field starts a formula however the line is split.
//
// Pure, with no imports: the agency server writes its CSV with it too.

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * A place a field may start, followed by a formula character. Quotes in between do not help: a
 * reader that took the break for a field's start reads the `""` of an escaped quote as an empty
 * quoted part, and the formula character after it starts the field.
 */
const BREAK_BEFORE_FORMULA = /([,;\r\n])(?="*[=+\-@\t\r])/g;
const NEEDS_QUOTES = /[",;\r\n]/;

/** Text no spreadsheet runs as a formula, however it splits the line. Numbers stay numbers. */
function defuse(text: string): string {
  const inner = text.replace(BREAK_BEFORE_FORMULA, "$1'");
  return FORMULA_START.test(inner) ? `'${inner}` : inner;
}

export function csvCell(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? defuse(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
