// Types of the fixture pages' test hook (window.__fixture), for use inside page.evaluate callbacks:
//   await page.evaluate(() => (window as unknown as XWindow).__fixture.getText())
export type { FixtureApi as XFixtureApi } from '../../fixtures/x/main';
export type { FixtureApi as FacebookFixtureApi } from '../../fixtures/facebook/main';
import type { FixtureApi as XApi } from '../../fixtures/x/main';
import type { FixtureApi as FbApi } from '../../fixtures/facebook/main';

export type XWindow = Window & { __fixture: XApi };
export type FacebookWindow = Window & { __fixture: FbApi };

/** Selectors the tests share; the extension keeps its own, with fallbacks, in its site files. */
export const X = {
  editor: '[data-testid="tweetTextarea_0"]',
  dialogEditor: '[role="dialog"] [data-testid="tweetTextarea_0"]',
  inlinePost: '[data-testid="tweetButtonInline"]',
  modalPost: '[role="dialog"] [data-testid="tweetButton"]',
  fileInput: '[data-testid="fileInput"]',
  attachmentsImg: '[data-testid="attachments"] img',
  toast: '[data-testid="toast"]',
  sideNavPost: '[data-testid="SideNav_NewTweet_Button"]',
} as const;

export const FB = {
  prompt: '.composer-card [role="button"].prompt',
  dialog: '[role="dialog"]',
  editor: '[role="dialog"] [role="textbox"][contenteditable="true"][data-lexical-editor="true"]',
  post: '[role="dialog"] [role="button"][aria-label="Post"]',
  fileInput: '[role="dialog"] input[type="file"]',
  photoButton: '[role="dialog"] [role="button"][aria-label="Photo/video"]',
} as const;

/** Lexical separates paragraphs with "\n\n"; an empty paragraph adds another pair. */
export function collapseBlankLines(text: string): string {
  return text.replace(/\n{3,}/g, '\n\n');
}
