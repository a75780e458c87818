// `npm run bench:rotation`: one certificate rotation of a 3-pod TLS MySQL in the local environment, measured.
// Prints the wall time, how much of the workflow's time went to waiting (for issuance and pods) versus
// orchestration, and every Kubernetes API request opsflow made, by verb and resource.
import { parseHistory } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { up } from '../localenv/lifecycle.ts';
import { startBenchOpsflow } from './opsflow.ts';
import { RequestCounter, total } from './request-counter.ts';

await up(() => {});
loadLocalEnvDefaults();
const { applyRotate, createCAIssuer, createTLSMySQL, waitForDatabaseReady } = await import('../../test/helpers/fixtures.ts');
const { waitForOpsRequestDone } = await import('../../test/helpers/cluster.ts');

const kube = connectKube();
const counter = new RequestCounter(kube);

const opsflow = await startBenchOpsflow('bench', kube);
const { client, ns } = opsflow;

await createCAIssuer(ns);
await createTLSMySQL(ns);
await waitForDatabaseReady(ns);

counter.start();
const t0 = Date.now();
await applyRotate(ns, 'bench-rotate');
const ops = await waitForOpsRequestDone(ns, 'bench-rotate');
const wall = Date.now() - t0;
const requests = counter.stop();

const workflowId = opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'bench-rotate' }, ops.metadata.uid);
// The OpsRequest says Successful before the run has closed: its history is read once it has.
const handle = client.workflow.getHandle(workflowId);
await handle.result();
const history = await handle.fetchHistory();
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
const events = history.events!;
const started = ms(events[0].eventTime);
const closed = ms(events.at(-1)!.eventTime);
const { activities } = parseHistory(history);
const spent = (type: string) => activities.filter((a) => a.type === type && a.endedAt).reduce((sum, a) => sum + a.endedAt! - (a.startedAt ?? a.scheduledAt), 0);
const issuance = spent('awaitCertificates');
const waited = issuance + spent('waitPodReplaced') + spent('waitDatabaseReady');
const workflowMs = closed - started;
const local = activities.filter((a) => a.local).length;

console.log(`rotation of a 3-pod TLS MySQL: ${ops.status.phase}`);
console.log(`  wall time, OpsRequest applied → Successful seen: ${wall} ms`);
console.log(`  workflow run, first to last event:                ${workflowMs.toFixed(0)} ms`);
console.log(`  of which waiting (issuance ${issuance.toFixed(0)} ms, pods ${spent('waitPodReplaced').toFixed(0)} ms, database Ready ${spent('waitDatabaseReady').toFixed(0)} ms): ${waited.toFixed(0)} ms`);
console.log(`  orchestration (everything else):                 ${(workflowMs - waited).toFixed(0)} ms = ${(((workflowMs - waited) / workflowMs) * 100).toFixed(0)}%`);
console.log(`  activities: ${activities.length} (${local} of them local), history events: ${events.length}`);
console.log(`Kubernetes API requests by opsflow (worker + watcher) during the rotation: ${total(requests)}`);
for (const [r, n] of Object.entries(requests)) console.log(`  ${String(n).padStart(4)}  ${r}`);

await opsflow.stop();
process.exit(0);
