export * from './cache';
export * from './fetch';
export * from './refresh';
export * from './select';
export * from './describe';
