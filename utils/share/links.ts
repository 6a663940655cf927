import type { Item } from '../protocol/feed';

// The web share links each platform offers. Facebook's sharer takes only a link, never text.

export function xIntentUrl(text: string): string {
  return `https://x.com/intent/post?text=${encodeURIComponent(text)}`;
}

export function facebookSharerUrl(item: Item): string | undefined {
  return item.url ? `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(item.url)}` : undefined;
}

export function whatsappUrl(text: string): string {
  return `https://wa.me/?text=${encodeURIComponent(text)}`;
}
