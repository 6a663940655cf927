export * from './caption';
export * from './compose';
export * from './for-site';
