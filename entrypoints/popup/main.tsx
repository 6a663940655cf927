import { render } from 'preact';
import { browser } from 'wxt/browser';
import { warmFeedCache } from '@/utils/feed/cache';
import { historyDb } from '@/utils/history/db';
import { App } from './App';

// Both databases open while Preact renders the frame: the first reads then find them ready.
warmFeedCache();
void historyDb();
import '@/components/ui.css';
import '@/components/post.css';

document.documentElement.lang = browser.i18n.getUILanguage().split('-')[0] || 'id';
render(<App />, document.getElementById('app')!);
