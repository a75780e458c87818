// The cert-manager Certificates of a database created with TLS, made as KubeDB makes them: one run per
// database generation (the watcher starts it), so the work is durable, retried and visible like every other.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { DatabaseRef } from '../activities/refs.ts';

const { ensureDatabaseCertificates } = proxyActivities<Activities>({
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 500, maximumInterval: 30_000, maximumAttempts: 20 },
});

export async function databaseCertificatesWorkflow(db: DatabaseRef): Promise<{ created: string[]; existing: string[] }> {
  return ensureDatabaseCertificates(db);
}
