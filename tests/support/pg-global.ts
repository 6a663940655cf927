import type { TestProject } from 'vitest/node';
import { startCluster } from './postgres';

// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (initdb takes seconds);
// each test file makes its own database in it. Stopped and removed at the end, failures or not.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
