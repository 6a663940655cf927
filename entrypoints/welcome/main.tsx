import { render } from 'preact';
import { browser } from 'wxt/browser';
import { Welcome } from '@/components/Welcome';
import '@/components/ui.css';
import './welcome.css';

document.documentElement.lang = browser.i18n.getUILanguage().split('-')[0] || 'id';
document.title = browser.i18n.getMessage('welcome_title') || 'Siar';
render(<Welcome />, document.getElementById('app')!);
