export * from './feed';
export * from './tally';
export * from './nip';
export * from './url';
