import { browser } from 'wxt/browser';
import { permissionPattern } from '../protocol/url';

/**
 * Asks for the one origin `url` lives on. Call it first thing in a click handler: browsers only
 * show the prompt during the user's gesture (Firefox: before any await). Already granted → true.
 */
export function requestOrigin(url: string): Promise<boolean> {
  const pattern = permissionPattern(url);
  if (!pattern) return Promise.resolve(false);
  return browser.permissions.request({ origins: [pattern] }).catch(() => false);
}
