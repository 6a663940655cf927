import { browser } from 'wxt/browser';
import { permissionPattern } from '../protocol/url';

/** Asks for the one origin `url` lives on. Call it straight from a click. */
export async function requestOrigin(url: string): Promise<boolean> {
  const pattern = permissionPattern(url);
  if (!pattern) return false;
  if (await browser.permissions.contains({ origins: [pattern] })) return true;
  return browser.permissions.request({ origins: [pattern] });
}
