import { browser } from 'wxt/browser';

// Opening the options page at one of its sections, from the popup and the welcome page. The
// sections' ids are the page's anchors.

export type OptionsSection = 'stats' | 'enrol' | 'notifications' | 'advanced';

export function optionsUrl(section: OptionsSection): string {
  return browser.runtime.getURL(`/options.html#${section}`);
}

/** The options page at `section`, in a new tab (no `tabs` permission is needed to find an open one). */
export async function optionsSection(section: OptionsSection): Promise<void> {
  await browser.tabs.create({ url: optionsUrl(section) });
}
