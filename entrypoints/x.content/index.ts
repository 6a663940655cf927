import { startComposerIntegration } from '@/utils/composer/integration';
import { x } from '@/utils/sites/x';

export default defineContentScript({
  matches: ['https://x.com/*', 'https://twitter.com/*'],
  // At document start, so composers that the page renders while loading get their button in
  // the same frame.
  runAt: 'document_start',
  cssInjectionMode: 'manual',
  main: (ctx) => startComposerIntegration(ctx, x),
});
