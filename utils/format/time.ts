/** Epoch ms → date and time in `locale` ("3 Des 2026, 13.05"), one formatter for every call. */
export function dateTimeFormatter(locale: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (ms) => f.format(ms);
}
