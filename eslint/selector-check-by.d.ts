import type { Rule } from 'eslint';

export declare const selectorCheckBy: Rule.RuleModule;
export declare const selectorCheckSoon: Rule.RuleModule;
