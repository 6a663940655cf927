import { startComposerIntegration } from '@/utils/composer/integration';
import { matchPatterns } from '@/utils/sites/match-patterns';
import { adapter } from '@/utils/sites/whatsapp.site';

export default defineContentScript({
  matches: matchPatterns(adapter.site.hosts),
  // At document start, so composers that the page renders while loading get their button in
  // the same frame.
  runAt: 'document_start',
  cssInjectionMode: 'manual',
  main: (ctx) => startComposerIntegration(ctx, adapter),
});
