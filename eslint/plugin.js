// @ts-check
// Siar's own lint rules (see each file for why it exists).
import { noTypeImportCycle } from './no-type-import-cycle.js';

export default {
  meta: { name: 'siar' },
  rules: { 'no-type-import-cycle': noTypeImportCycle },
};
