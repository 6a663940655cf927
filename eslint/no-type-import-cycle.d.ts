import type { Rule } from 'eslint';

export declare function resolveSpecifier(from: string, spec: string, aliases: Record<string, string>): string | undefined;
export declare const noTypeImportCycle: Rule.RuleModule;
