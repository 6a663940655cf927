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

/**
 * What enrolling needs: the tally's origin, and in Firefox the user's consent to send personal
 * data (the manifest declares it optional). Call it first thing in the Enrol click.
 */
export function requestEnrolPermissions(tallyUrl: string): Promise<boolean> {
  const pattern = permissionPattern(tallyUrl);
  if (!pattern) return Promise.resolve(false);
  const request: Record<string, string[]> = { origins: [pattern] };
  if (import.meta.env.FIREFOX) request.data_collection = ['personallyIdentifyingInfo'];
  return browser.permissions.request(request as { origins: string[] }).catch(() => false);
}
