export * from './db';
export * from './record';
export * from './queries';
