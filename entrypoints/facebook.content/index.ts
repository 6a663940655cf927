import { startComposerIntegration } from '@/utils/composer/integration';
import { facebook } from '@/utils/sites/facebook';

export default defineContentScript({
  matches: ['https://www.facebook.com/*', 'https://web.facebook.com/*'],
  runAt: 'document_idle',
  cssInjectionMode: 'manual',
  main: (ctx) => startComposerIntegration(ctx, facebook),
});
