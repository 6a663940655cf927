import { render } from 'preact';
import { browser } from 'wxt/browser';
import { App } from './App';
import { loadPopupData } from './data';
import '@/components/ui.css';
import '@/components/post.css';

// The reads start before Preact renders its first frame.
performance.mark('siar:module');
const data = loadPopupData();
document.documentElement.lang = browser.i18n.getUILanguage().split('-')[0] || 'id';
render(<App data={data} />, document.getElementById('app')!);
