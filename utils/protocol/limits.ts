// The feed contract's limits and fixed lists: plain values, shared by the schemas and the
// zod-free helpers.

export const LIMITS = {
  title: 300,
  caption: 2000,
  summary: 2000,
  contentText: 20_000,
  items: 1000,
  hashtags: 30,
  variants: 20,
  id: 200,
  name: 200,
  feedBytes: 5 * 1024 * 1024,
} as const;

export const PRIORITIES = ['normal', 'high', 'mandatory'] as const;
export type Priority = (typeof PRIORITIES)[number];
