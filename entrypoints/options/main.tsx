import { render } from 'preact';
import { browser } from 'wxt/browser';
import { App } from './App';
import '@/components/ui.css';
import '@/components/post.css';
import '@/components/stats/stats.css';
import './options.css';

document.documentElement.lang = browser.i18n.getUILanguage().split('-')[0] || 'id';
render(<App />, document.getElementById('app')!);
