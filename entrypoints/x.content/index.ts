import { startComposerIntegration } from '@/utils/composer/integration';
import { x } from '@/utils/sites/x';

export default defineContentScript({
  matches: ['https://x.com/*', 'https://twitter.com/*'],
  runAt: 'document_idle',
  cssInjectionMode: 'manual',
  main: (ctx) => startComposerIntegration(ctx, x),
});
