export * from './caption';
export * from './compose';
