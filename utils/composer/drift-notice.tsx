import { render } from 'preact';
import { DriftNotice } from '@/components/DriftNotice';
import type { MessageKey } from '../i18n';
import { mountShadow } from './shadow';

/**
 * Tells the person a one-click post could not go in, and offers its text to copy: `copy` says
 * whether the clipboard took it. Mounted on the page's body, in our own shadow root.
 */
export function showDriftNotice(css: string, copy: () => Promise<boolean>): void {
  const ui = mountShadow(document.body, null, css, false);
  const show = (done?: MessageKey) =>
    render(
      <DriftNotice
        done={done}
        onCopy={() => {
          void copy().then((copied) => show(copied ? 'copied_paste' : 'copy_failed'));
        }}
        onClose={() => {
          render(null, ui.container);
          ui.remove();
        }}
      />,
      ui.container,
    );
  show();
}
