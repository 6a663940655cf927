// Building blocks of the studio's HTML: escaping (every string from a user, a post or a feed goes
// through `e`), relative links, and small form pieces. Pure: the editor's browser script renders
// its live preview with the same functions the server uses.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML; `null`/`undefined` → empty. */
export function e(value: unknown): string {
  return value === null || value === undefined ? '' : String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * The way from the page at `pathname` back to the server's root, as a relative reference
 * (`./`, `../`, `../../`): links and redirects stay relative, so the studio also works behind a
 * proxy that serves it under a path.
 */
export function rootOf(pathname: string): string {
  const depth = (pathname.match(/\//g)?.length ?? 1) - 1;
  return depth <= 0 ? './' : '../'.repeat(depth);
}

/** A query string from the non-empty values, `?` included (or nothing). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== 0) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export const csrfField = (csrf: string): string => `<input type="hidden" name="_csrf" value="${e(csrf)}">`;

/** `<option>`s, the one equal to `selected` marked. */
export function options(list: readonly (readonly [string, string])[], selected: string | null | undefined): string {
  return list
    .map(([value, label]) => `<option value="${e(value)}"${value === (selected ?? '') ? ' selected' : ''}>${e(label)}</option>`)
    .join('');
}

/** An error next to a field: tied to it with aria-describedby through `id`. */
export function fieldError(id: string, message: string | undefined): string {
  return message ? `<p class="field-error" id="${e(id)}" role="alert">${e(message)}</p>` : '';
}

export function describedBy(...ids: (string | false | undefined)[]): string {
  const list = ids.filter(Boolean);
  return list.length ? ` aria-describedby="${e(list.join(' '))}"` : '';
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const cell = (tag: string, html: string, i: number) =>
    `<${tag}${numeric.includes(i) ? ' class="num"' : ''}${tag === 'th' ? ' scope="col"' : ''}>${html}</${tag}>`;
  return `<div class="table-wrap"><table>
<thead><tr>${head.map((h, i) => cell('th', e(h), i)).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${row.map((html, i) => cell('td', html, i)).join('')}</tr>`).join('\n')}
</tbody>
</table></div>`;
}
