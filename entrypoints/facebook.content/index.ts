import { startComposerIntegration } from '@/utils/composer/integration';
import { facebook } from '@/utils/sites/facebook';

export default defineContentScript({
  matches: ['https://www.facebook.com/*', 'https://web.facebook.com/*'],
  // At document start, so composers that the page renders while loading get their button in
  // the same frame.
  runAt: 'document_start',
  cssInjectionMode: 'manual',
  main: (ctx) => startComposerIntegration(ctx, facebook),
});
