import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { foldForSearch } from '@/utils/format/search';
import { t, type MessageKey } from '@/utils/i18n';
import type { PanelItem } from '@/utils/messages/replies';
import type { TextLimit } from '@/utils/sites/types';
import { Badges } from './Badges';
import { VariantSwitcher } from './VariantSwitcher';
import { VideoPoster, VideoProgressLine } from './Video';

export interface PanelProps {
  id: string;
  /** The site's text limit, shown as a counter per post. */
  limit?: TextLimit;
  items?: PanelItem[];
  emptyWords?: MessageKey;
  busyId?: string;
  /** Item id → a blob: URL of its picture, once fetched. */
  thumbs?: Readonly<Record<string, string>>;
  notice?: { key: MessageKey; subs?: (string | number)[]; tone: 'ok' | 'error' };
  /** Bytes of the busy post's video so far, while they arrive. */
  progress?: { received: number; total?: number };
  onInsert: (item: PanelItem, variant: number) => void;
  /** "Unduh video": save the post's video. */
  onDownload?: (item: PanelItem) => void;
  onClose: () => void;
}

// A non-modal dialog next to the composer. Feed strings are text children only.
export function Panel(p: PanelProps) {
  const [query, setQuery] = useState('');
  const [variants, setVariants] = useState<Record<string, number>>({});
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => search.current?.focus(), []);

  const shown = useMemo(() => {
    const words = foldForSearch(query).split(/\s+/).filter(Boolean);
    return (p.items ?? []).filter((i) => {
      const hay = foldForSearch([i.title, i.agency ?? '', ...i.texts.map((x) => x.text)].join('\n'));
      return words.every((w) => hay.includes(w));
    });
  }, [p.items, query]);

  return (
    <div
      class="panel"
      role="dialog"
      aria-labelledby={`${p.id}-h`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          p.onClose();
        }
      }}
    >
      <div class="panel-head">
        <h2 id={`${p.id}-h`}>{t('popup_heading')}</h2>
        <button type="button" class="close" aria-label={t('close')} onClick={p.onClose}>
          ×
        </button>
      </div>
      <label class="search">
        <span class="visually-hidden">{t('search_label')}</span>
        <input ref={search} type="search" placeholder={t('search_label')} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      {p.notice && (
        <p class={`notice notice-${p.notice.tone}`} role="alert">
          {t(p.notice.key, ...(p.notice.subs ?? []))}
        </p>
      )}
      {!p.items && <p class="empty">{t('refreshing')}</p>}
      {p.items && p.items.length === 0 && <p class="empty">{t(p.emptyWords ?? 'panel_no_posts')}</p>}
      <ul class="panel-list">
        {shown.map((item) => {
          // Own keys only: an item id like "constructor" must not read Object.prototype.
          const v = (Object.hasOwn(variants, item.id) ? variants[item.id]! : 0) % item.texts.length;
          const text = item.texts[v]!;
          const hid = `${p.id}-${item.id}`;
          // A blob: address of the picture's checked bytes: the site's own CSP refuses the agency's host.
          const thumb = p.thumbs && Object.hasOwn(p.thumbs, item.id) ? p.thumbs[item.id] : undefined;
          return (
            <li key={item.id} class={item.hasImage ? 'panel-item with-thumb' : 'panel-item'}>
              {/* The picture's place is kept from the start: a thumbnail arriving later moves no button under the pointer. */}
              {item.hasImage && (thumb ? <img class="thumb" src={thumb} alt="" decoding="async" /> : <span class="thumb thumb-pending" />)}
              <h3 id={hid}>{item.title}</h3>
              <div class="post-meta">
                {item.agency && <span>{item.agency}</span>}
                <Badges priority={item.priority} shared={item.shared} tried={item.tried} />
              </div>
              {item.video && <VideoPoster poster={item.video.poster} seconds={item.video.seconds} />}
              <p class="preview" aria-label={t('text_to_share')}>
                {text.text}
              </p>
              {p.busyId === item.id && p.progress && <VideoProgressLine {...p.progress} />}
              <div class="panel-row">
                <VariantSwitcher index={v} count={item.texts.length} onNext={() => setVariants((m) => ({ ...m, [item.id]: v + 1 }))} />
                {p.limit && (
                  <span class={text.weighted > p.limit.max ? 'counter over' : 'counter'}>{t(p.limit.counter, text.weighted)}</span>
                )}
                <button
                  type="button"
                  class="insert"
                  aria-describedby={hid}
                  disabled={p.busyId !== undefined}
                  // Only the user's own click: a page script clicking into our shadow root must not
                  // make share events.
                  onClick={(e) => e.isTrusted && p.onInsert(item, v)}
                >
                  {p.busyId === item.id ? t('inserting') : t('insert')}
                </button>
                {item.video && p.onDownload && (
                  <button
                    type="button"
                    class="download-video"
                    aria-describedby={hid}
                    disabled={p.busyId !== undefined}
                    onClick={(e) => e.isTrusted && p.onDownload!(item)}
                  >
                    {t('download_video')}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
