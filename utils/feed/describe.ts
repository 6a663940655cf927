import type { MessageKey } from '../i18n';
import type { FeedError } from './types';

/** The i18n key and substitutions that say a feed error in plain words. */
export function feedErrorWords(e: FeedError): [MessageKey, ...string[]] {
  switch (e.code) {
    case 'invalid':
      return [`err_${e.problem.kind}`];
    case 'http':
      return ['err_http', String(e.status)];
    case 'network':
      return ['err_network'];
    default:
      return [`err_${e.code}`];
  }
}
