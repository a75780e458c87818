// Trigger latency: how soon opsflow takes up an OpsRequest. Requests are applied one after another (each
// waits for the one before to end, so none waits for its turn): from the create call being sent to the
// workflow's first history event (the watcher started it), and to phase Progressing seen by a watch.
import type { Client } from '@temporalio/client';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { connectKube } from '../../platform/kube.ts';
import { observe } from '../../platform/watch.ts';

export interface TriggerFigures {
  requests: number;
  startedMs: { p50: number; p99: number; max: number };
  progressingMs: { p50: number; p99: number; max: number };
  samples: { startedMs: number; progressingMs: number }[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p99: Math.round(percentile(s, 99)), max: Math.round(s.at(-1)!) };
};

/** `count` rotations of the MySQL `db` in `ns` (TLS already on), one after another. */
export async function measureTriggerLatency(o: { client: Client; ns: string; db: string; count: number }): Promise<TriggerFigures> {
  const { apply } = await import('../../test/helpers/cluster.ts');
  const kube = connectKube();
  // One watch for the whole run: when each request was first seen Progressing, and when it ended.
  const progressing = new Map<string, number>();
  const ended = new Map<string, () => void>();
  const stop = new AbortController();
  const watching = new Promise<void>((synced) => {
    void observe<any>(
      kube,
      { apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', plural: 'mysqlopsrequests', namespace: o.ns },
      {},
      ({ objects }) => {
        synced();
        for (const ops of objects.values()) {
          const name = ops.metadata.name;
          if (ops.status?.phase === 'Progressing' && !progressing.has(name)) progressing.set(name, performance.timeOrigin + performance.now());
          if (['Successful', 'Failed', 'Skipped'].includes(ops.status?.phase)) ended.get(name)?.();
        }
      },
      stop.signal,
    );
  });
  await watching;
  const samples: TriggerFigures['samples'] = [];
  for (let i = 1; i <= o.count; i++) {
    const name = `trigger-${i}`;
    const done = new Promise<void>((resolve) => ended.set(name, resolve));
    const created = performance.timeOrigin + performance.now();
    await apply(o.ns, `apiVersion: ops.kubedb.com/v1alpha1\nkind: MySQLOpsRequest\nmetadata: {name: ${name}}\nspec:\n  type: ReconfigureTLS\n  databaseRef: {name: ${o.db}}\n  tls: {rotateCertificates: true}\n`);
    await done;
    const uid = ((await kube.custom.getNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', namespace: o.ns, name })) as any).metadata.uid;
    const description = await o.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: o.ns, name }, uid)).describe();
    samples.push({ startedMs: description.startTime.getTime() - created, progressingMs: progressing.get(name)! - created });
  }
  stop.abort();
  return { requests: samples.length, startedMs: summary(samples.map((s) => s.startedMs)), progressingMs: summary(samples.map((s) => s.progressingMs)), samples };
}
