// CSV as RFC 4180 and spreadsheets read it. Cells come from members and feeds, so a formula must
// never reach a spreadsheet (OWASP's CSV injection advice): a `'` goes before `= + - @`, tab or CR
// wherever a spreadsheet could start a cell — at the start, and after a `,` or `;` (Excel in an
// Indonesian locale splits on `;`, and a file split on the other separator ignores our quotes) or
// a line break.

const FORMULA_AFTER_BOUNDARY = /(^|[,;\r\n][\s"']*)([=+\-@\t\r])/g;

/** A cell the two rules below leave as it is: most of an export's cells, tested once. */
const PLAIN = /^(?![=+\-@\t\r])[^",;\r\n]*$/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (PLAIN.test(value)) return value;
  const text = value.replace(FORMULA_AFTER_BOUNDARY, "$1'$2");
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
