import { e } from './html';

// A tiny element tree for the parts of a studio page that are drawn both by the server (as HTML
// text) and by the editor's script in the browser (as DOM nodes, never through innerHTML: text
// from a post is only ever a text node there). Tag and attribute names come from our code only.

export type Child = ViewNode | string | null | undefined | false;

export interface ViewNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly Child[];
}

const NAME = /^[a-z][a-z0-9-]*$/;
const VOID = new Set(['img', 'br', 'input']);

export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): ViewNode {
  if (!NAME.test(tag)) throw new Error(`view-node: bad tag ${tag}`);
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (!NAME.test(k) || /^on/.test(k)) throw new Error(`view-node: bad attribute ${k}`);
    if (v !== undefined) clean[k] = v;
  }
  return { tag, attrs: clean, children };
}

/** The tree as HTML text, every text and attribute value escaped. */
export function toHtml(child: Child | readonly Child[]): string {
  if (Array.isArray(child)) return child.map((c) => toHtml(c)).join('');
  if (child === null || child === undefined || child === false) return '';
  if (typeof child === 'string') return e(child);
  const node = child as ViewNode;
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${e(v)}"`)
    .join('');
  if (VOID.has(node.tag)) return `<${node.tag}${attrs}>`;
  return `<${node.tag}${attrs}>${toHtml(node.children)}</${node.tag}>`;
}

/** The tree as DOM nodes of `doc`. */
export function toDom(doc: Document, child: Child): Node | null {
  if (child === null || child === undefined || child === false) return null;
  if (typeof child === 'string') return doc.createTextNode(child);
  const el = doc.createElement(child.tag);
  for (const [k, v] of Object.entries(child.attrs)) el.setAttribute(k, v);
  for (const c of child.children) {
    const n = toDom(doc, c);
    if (n) el.append(n);
  }
  return el;
}
