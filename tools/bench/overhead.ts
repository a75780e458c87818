// Overhead per operation: an add TLS and then a rotation of an N-pod database, each timed from the OpsRequest
// applied to Successful, and right after it the floor, measured by hand on the same database: its
// certificates re-issued (as `cmctl renew` does) and its pods evicted one after another, each Ready before the
// next, primary last. Overhead = operation − floor. For each operation also what it cost: opsflow's
// Kubernetes API requests by verb and resource, history events, activities, and how the run's time splits
// between waiting (issuance, pods) and orchestration.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import type { V1Pod } from '@kubernetes/client-node';
import { parseHistory } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { profiles } from '../../model/profiles.ts';
import type { Certificate } from '../../model/types.ts';
import { connectKube, pods as podCollection } from '../../platform/kube.ts';
import { updateStatus } from '../../platform/status.ts';
import { waitFor } from '../../platform/watch.ts';
import { breakdown, type Breakdown } from './breakdown.ts';
import type { RequestCounter } from './request-counter.ts';

export interface OperationFigures {
  kind: string;
  variant: 'add TLS' | 'rotate';
  pods: number;
  phase: string;
  ms: number;
  floorMs: number;
  overheadMs: number;
  overheadPerPodMs: number;
  /** operation ÷ floor */
  ratio: number;
  requests: Record<string, number>;
  events: number;
  activities: number;
  localActivities: number;
  /** Of the run's time (first to last history event): waiting for issuance and pods, the rest orchestration. */
  runMs: number;
  waitingMs: number;
  breakdown: Breakdown;
}

type TLSKind = (typeof import('../../test/helpers/tls-kinds.ts'))['tlsKinds'][number];

const example = (k: TLSKind, file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');

/** The guide's database with `replicas` pods, named `name` (a MySQL of one pod runs standalone). */
async function databaseYaml(k: TLSKind, name: string, replicas: number): Promise<string> {
  let yaml = (await example(k, `1-${k.dir}.yaml`)).replace(`name: ${k.db}\n`, `name: ${name}\n`);
  if (/\n {2}replicas: \d+/.test(yaml)) return yaml.replace(/\n {2}replicas: \d+/, `\n  replicas: ${replicas}`);
  if (replicas === 1) yaml = yaml.replace(/\n {2}topology:\n(?: {4}.*\n)+/, '\n');
  return yaml.replace('\nspec:\n', `\nspec:\n  replicas: ${replicas}\n`);
}

const renamed = (yaml: string, k: TLSKind, db: string, ops: string) => yaml.replace(/\n {2}name: [\w-]+\n/, `\n  name: ${ops}\n`).replace(`    name: ${k.db}\n`, `    name: ${db}\n`);

export async function measureOverhead(o: { client: Client; counter: RequestCounter; ns: string; kinds: TLSKind[]; podCounts: number[] }): Promise<OperationFigures[]> {
  const { apply, conditionOf, res, waitForObject } = await import('../../test/helpers/cluster.ts');
  // The floor's own connection: its requests are not opsflow's.
  const kube = connectKube();
  const ns = o.ns;
  const out: OperationFigures[] = [];

  const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const podsOf = (db: string) => waitFor<V1Pod, V1Pod[]>(kube, podCollection(ns), { labelSelector: `app.kubernetes.io/instance=${db}` }, (all) => all);

  /** The floor: the certificates re-issued at once, then each pod evicted and back Ready before the next (primary last). */
  async function floor(db: string): Promise<number> {
    const certs = (await waitFor<Certificate, Certificate[]>(kube, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace: ns }, {}, (all) => all)).filter((c) =>
      c.metadata.name!.startsWith(`${db}-`),
    );
    const pods = (await podsOf(db)).sort((a, b) => Number(a.metadata?.labels?.['kubedb.com/role'] === 'primary') - Number(b.metadata?.labels?.['kubedb.com/role'] === 'primary') || a.metadata!.name!.localeCompare(b.metadata!.name!));
    const t0 = performance.now();
    await Promise.all(
      certs.map(async (c) => {
        const r = { group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: ns, name: c.metadata.name! };
        await updateStatus<Certificate>(kube, r, (cur) => ({
          ...cur.status,
          conditions: [...(cur.status?.conditions ?? []).filter((x) => x.type !== 'Issuing'), { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'benchmark floor', lastTransitionTime: new Date().toISOString() }],
        }));
        await waitForObject<any, true>(res.certificate, ns, c.metadata.name!, (x) => (x?.status?.revision > (c.status?.revision ?? 0) && conditionOf(x, 'Issuing')?.status !== 'True' && conditionOf(x, 'Ready')?.status === 'True' ? true : undefined));
      }),
    );
    for (const pod of pods) {
      const name = pod.metadata!.name!;
      await kube.core.createNamespacedPodEviction({ namespace: ns, name, body: { metadata: { name, namespace: ns } } });
      await waitFor<V1Pod, true>(kube, podCollection(ns), { fieldSelector: `metadata.name=${name}` }, ([p]) => (p && p.metadata?.uid !== pod.metadata?.uid && isReady(p) ? true : undefined));
    }
    return performance.now() - t0;
  }

  async function operation(k: TLSKind, db: string, pods: number, variant: OperationFigures['variant']): Promise<OperationFigures> {
    const name = `${db}-${variant === 'rotate' ? 'rotate' : 'add'}`;
    const yaml = renamed(await example(k, variant === 'rotate' ? '3-rotate.yaml' : '2-add-tls.yaml'), k, db, name);
    o.counter.start();
    const t0 = performance.now();
    await apply(ns, yaml);
    const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (x) => (['Successful', 'Failed', 'Skipped'].includes(x?.status?.phase) ? x : undefined), 300_000);
    const ms = performance.now() - t0;
    const requests = o.counter.stop();
    // The OpsRequest says Successful before the run has closed: its history is read once it has.
    const handle = o.client.workflow.getHandle(opsRequestWorkflowId({ kind: profiles[k.kind].opsRequest.kind, namespace: ns, name }, ops.metadata.uid));
    await handle.result().catch(() => {});
    const history = await handle.fetchHistory();
    const { activities } = parseHistory(history);
    const time = breakdown(history);
    const floorMs = await floor(db);
    const overheadMs = ms - floorMs;
    return {
      kind: k.kind,
      variant,
      pods,
      phase: ops.status.phase,
      ms: Math.round(ms),
      floorMs: Math.round(floorMs),
      overheadMs: Math.round(overheadMs),
      overheadPerPodMs: Math.round(overheadMs / pods),
      ratio: Number((ms / floorMs).toFixed(2)),
      requests,
      events: history.events!.length,
      activities: activities.length,
      localActivities: activities.filter((a) => a.local).length,
      runMs: time.runMs,
      waitingMs: time.waitingMs,
      breakdown: time,
    };
  }

  for (const k of o.kinds) {
    // The kinds' issuers share names (a self-signed one): those already made are kept.
    await apply(ns, await example(k, '0-issuers.yaml'), { ignoreExisting: true });
    await waitForObject<any, true>(res.certificate, ns, k.issuers.first.caSecret, (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
    for (const pods of o.podCounts) {
      const db = `${k.db}-${pods}`;
      await apply(ns, await databaseYaml(k, db, pods));
      await waitForObject<any, true>(k.database, ns, db, (x) => (x?.status?.phase === 'Ready' ? true : undefined), 120_000);
      for (const variant of ['add TLS', 'rotate'] as const) {
        const figures = await operation(k, db, pods, variant);
        out.push(figures);
        console.log(
          `  ${k.kind.padEnd(14)} ${variant.padEnd(8)} ${String(pods).padStart(2)} pods  ${figures.phase.padEnd(10)} ${String(figures.ms).padStart(6)} ms  floor ${String(figures.floorMs).padStart(6)} ms  overhead ${String(figures.overheadMs).padStart(5)} ms (${String(figures.overheadPerPodMs).padStart(4)} ms/pod, ×${figures.ratio})  ${Object.values(figures.requests).reduce((a, b) => a + b, 0)} requests, ${figures.events} events`,
        );
      }
    }
  }
  return out;
}
