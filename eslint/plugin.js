// @ts-check
// Siar's own lint rules (each file says why it exists).
import { noTypeImportCycle } from './no-type-import-cycle.js';
import { selectorCheckBy, selectorCheckSoon } from './selector-check-by.js';

export default {
  meta: { name: 'siar' },
  rules: {
    'no-type-import-cycle': noTypeImportCycle,
    'selector-check-by': selectorCheckBy,
    'selector-check-soon': selectorCheckSoon,
  },
};
