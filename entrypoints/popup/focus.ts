import { useEffect, useRef } from 'preact/hooks';
import { takePopupFocus } from '@/utils/notify/notifier';

// The post a notification click asked for (`?item=` in a tab, or remembered for the action's
// popup), brought into view and focused once the list is drawn.
const wanted = takePopupFocus(location.search);

export function useFocusPost(listDrawn: boolean): void {
  const done = useRef(false);
  useEffect(() => {
    if (!listDrawn || done.current) return;
    done.current = true;
    void wanted.then((id) => {
      if (!id) return;
      const card = [...document.querySelectorAll<HTMLElement>('article[data-item-id]')].find((a) => a.dataset.itemId === id);
      if (!card) return;
      card.tabIndex = -1;
      card.classList.add('post-focused');
      card.scrollIntoView({ block: 'center' });
      card.focus({ preventScroll: true });
    });
  }, [listDrawn]);
}
