// The setting most tests start from: a namespace of their own, opsflow watching it, and (unless told
// otherwise) the example TLS MySQL Ready in it, its Certificates issued; all removed when the test ends.
import type { TestContext } from 'node:test';
import { createNamespace, deleteNamespace } from './cluster.ts';
import { createCAIssuer, createTLSMySQL, waitForCertificatesIssued, waitForDatabaseReady } from './fixtures.ts';
import { startOpsflow, type Opsflow } from './opsflow.ts';

export async function scenario(
  t: TestContext,
  prefix: string,
  opts: { database?: boolean; worker?: boolean } = {},
): Promise<{ ns: string; opsflow: Opsflow }> {
  const ns = await createNamespace(prefix);
  const opsflow = await startOpsflow(ns, { worker: opts.worker });
  t.after(async () => {
    await opsflow.stop();
    await deleteNamespace(ns);
  });
  if (opts.database !== false) {
    await createCAIssuer(ns);
    await createTLSMySQL(ns);
    await waitForDatabaseReady(ns);
    await waitForCertificatesIssued(ns);
  }
  return { ns, opsflow };
}
