// The opsflow CLI as a user runs it (a child process) against the local environment: KubeDB's MySQL
// reconfigure-TLS guide driven with plan, apply, status, list, history, watch and cancel, asserting what each
// prints and its exit code (0 done, 1 failed, 2 wrong use).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { mergePatch } from '../../platform/kube.ts';
import { parseHistory } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, res, waitForObject } from '../helpers/cluster.ts';
import { opsflowCli, plainText } from '../helpers/cli.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const mysql = tlsKinds.find((k) => k.kind === 'MySQL')!;
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url), 'utf8');
const examplePath = (file: string) => new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url).pathname;

let ns: string;
let opsflow: Opsflow;
let dir: string;
let primary: string;
let dryRunPlan: any;

const cli = (...args: string[]) => opsflowCli([...args, '-n', ns]);

/** The plan a run recorded: the result of its planOperation activity, as the history holds it. */
async function recordedPlan(workflowId: string): Promise<unknown> {
  return parseHistory(await opsflow.client.workflow.getHandle(workflowId).fetchHistory()).plan;
}
async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsflow-cli-'));
  ns = await createNamespace('cli');
  opsflow = await startOpsflow(ns);
  await apply(ns, await example('0-issuers.yaml'));
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  const pods = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' })).items;
  primary = pods.find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')!.metadata!.name!;
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

test('wrong use exits 2, a request that is not there 1, --help 0', async () => {
  const help = await opsflowCli(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['plan', 'apply', 'status', 'list', 'watch', 'cancel', 'retry', 'history', 'start', 'worker', 'watcher']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'), command);
  assert.match((await opsflowCli(['plan', '--help'])).stdout, /-f, --filename <file>/);

  const noFile = await cli('plan');
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /required option '-f, --filename <file>' not specified/);
  const missing = await cli('plan', '-f', join(dir, 'nope.yaml'));
  assert.deepEqual([missing.code, missing.stderr.trim()], [2, `opsflow: cannot read ${join(dir, 'nope.yaml')}: no such file`]);
  const notOps = await cli('apply', '-f', await file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'));
  assert.equal(notOps.code, 2);
  assert.match(notOps.stderr, /kind "ConfigMap" is not an OpsRequest opsflow serves/);
  assert.equal((await cli('list', '--phase', 'Done')).code, 2);
  assert.equal((await cli('status', 'x', '--kind', 'Redis')).code, 2);
  assert.equal((await opsflowCli(['frobnicate'])).code, 2);
  const absent = await cli('status', 'no-such-request');
  assert.deepEqual([absent.code, absent.stderr.trim()], [1, `opsflow: MySQLOpsRequest ${ns}/no-such-request not found`]);
});

test('plan: the dry run of add TLS shows each step, the Certificates, the template and spec diffs, the restart order and the checks, and changes nothing', async () => {
  const db = await get(mysql.database, ns, 'mysql');
  const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' });
  const r = await cli('plan', '-f', examplePath('2-add-tls.yaml'));
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, new RegExp(`^Plan of MySQLOpsRequest ${ns}/myops-add-tls: add TLS with certificates from Issuer/my-issuer of MySQL ${ns}/mysql$`, 'm'));
  for (const [step, condition] of [
    ['Wait for the database to be Ready', 'DatabaseReady'],
    ['Pause the database', 'DatabasePauseSucceeded'],
    ['Create the certificates', 'UpdateCertificates'],
    ['Wait for cert-manager to issue the certificates', 'CheckIssuingCondition'],
    ['Check the new certificates', 'CertificateSynced'],
    ['Update the StatefulSet', 'UpdateStatefulSets'],
    ['Update the database spec', 'UpdateDatabase'],
    ['Restart the pods', 'RestartPods'],
    ['Resume the database', 'ResumeDatabase'],
  ]) {
    assert.match(out, new RegExp(`^  \\d+ +${step} +${condition}\\b`, 'm'), `${step} (${condition})`);
  }
  assert.match(out, /Create the certificates +UpdateCertificates +Put the certificates back/);
  // Certificates field by field, the client's subject from the request merged over KubeDB's defaults.
  for (const line of ['+ mysql-server-cert (create)', '+ mysql-client-cert (create)', '+ mysql-metrics-exporter-cert (create)', '+ spec.issuerRef.name: my-issuer', '+ spec.commonName: root', '+ spec.subject.organizationalUnits: ["client"]', `+ spec.dnsNames: ["*.mysql-pods.${ns}.svc"`]) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
  // The pod template as KubeDB lays TLS out for MySQL, and the database spec.
  for (const line of [
    '+ volume tls-volume: projected from Secret mysql-server-cert (ca.crt, tls.crt as server.crt, tls.key as server.key) and Secret mysql-client-cert (tls.crt as client.crt, tls.key as client.key)',
    '+ container mysql: mount tls-volume at /etc/mysql/certs (read-only)',
    '+ container mysql: argument --ssl-ca=/etc/mysql/certs/ca.crt',
    '+ container mysql: argument --require-secure-transport=ON',
    '+ spec.requireSSL: true',
    '+ spec.tls.issuerRef.name: my-issuer',
  ]) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
  // Standbys first, the primary last, each with its role; the pre-flight checks of each Secret.
  const order = [...out.matchAll(/^  (\d)\. (mysql-\d)  (\w+)$/gm)].map((m) => [m[2], m[3]]);
  assert.equal(order.length, 3, out);
  assert.deepEqual(order.at(-1), [primary, 'primary']);
  assert.ok(order.slice(0, 2).every(([, role]) => role === 'standby'));
  assert.match(out, new RegExp(`Secret mysql-server-cert \\(server\\): chains to the CA .* extended key usage server auth, covers mysql, mysql\\.${ns}\\.svc, mysql-0\\.mysql-pods\\.${ns}\\.svc`));
  assert.match(out, /Secret mysql-client-cert \(client\): .*extended key usage client auth/);

  // -o json is the plan object; -o yaml the same.
  const json = await cli('plan', '-f', examplePath('2-add-tls.yaml'), '-o', 'json');
  assert.equal(json.code, 0);
  dryRunPlan = JSON.parse(json.stdout);
  assert.deepEqual(parse((await cli('plan', '-f', examplePath('2-add-tls.yaml'), '-o', 'yaml')).stdout), dryRunPlan);
  assert.equal(dryRunPlan.type, 'ReconfigureTLS');
  assert.equal(dryRunPlan.steps.length, 9);

  // Nothing touched: no OpsRequest, no Certificate, the database and its StatefulSet as they were.
  assert.equal((await kube.custom.listNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', namespace: ns })).items.length, 0);
  assert.equal((await kube.custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' })).items.length, 0);
  assert.equal((await get(mysql.database, ns, 'mysql')).metadata.resourceVersion, db.metadata.resourceVersion);
  assert.equal((await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' })).metadata!.resourceVersion, sts.metadata!.resourceVersion);
});

test('plan refuses what admission or the planner would refuse (exit 1), saying why', async () => {
  const rotate = await cli('plan', '-f', examplePath('3-rotate.yaml'));
  assert.equal(rotate.code, 1);
  assert.match(rotate.stdout, /would be refused by the planner \(nothing would be touched\):\n  spec\.tls\.rotateCertificates: MySQL .*\/mysql has no TLS/);
  const both = await cli('plan', '-f', await file('both.yaml', (await example('3-rotate.yaml')).replace('rotateCertificates: true', 'rotateCertificates: true\n    remove: true')));
  assert.equal(both.code, 1);
  assert.match(both.stdout, /would be refused at admission \(nothing would be touched\):\n  spec\.tls\.remove and spec\.tls\.rotateCertificates cannot be set together/);
  const nodb = await cli('plan', '-f', await file('nodb.yaml', (await example('3-rotate.yaml')).replace('name: mysql', 'name: no-such-db')), '-o', 'json');
  assert.equal(nodb.code, 1);
  assert.deepEqual(JSON.parse(nodb.stdout), { ok: false, refusedBy: 'admission', field: 'spec.databaseRef', message: `spec.databaseRef ${ns}/no-such-db, is invalid or not found: no MySQL of that name in namespace ${ns}` });
});

test('apply: creates the OpsRequest, follows it to Successful (exit 0), and the run carried out the plan the dry run showed', async () => {
  const r = await cli('apply', '-f', examplePath('2-add-tls.yaml'));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^MySQLOpsRequest ${ns}/myops-add-tls created$`, 'm'));
  for (const c of ['UpdateCertificates', 'CheckIssuingCondition', 'CertificateSynced', 'UpdateStatefulSets', 'UpdateDatabase', `EvictPod--${primary}`, 'RestartPods', 'ResumeDatabase']) {
    assert.match(r.stdout, new RegExp(`^\\[ *\\d+\\.\\ds\\] ✔ ${c}: `, 'm'), c);
  }
  assert.match(r.stdout, new RegExp(`^MySQLOpsRequest ${ns}/myops-add-tls: Successful: MySQL ${ns}/mysql: add TLS`, 'm'));
  assert.match(r.stdout, /^ {2}add TLS with certificates from Issuer\/my-issuer of MySQL .*: done in [\d.]+m?s, 3 certificates issued, 3 pods restarted$/m);
  assert.match(r.stdout, /^ {2}- Pods restarted, one at a time: mysql-\d \(standby\), mysql-\d \(standby\), mysql-\d \(primary\)$/m);
  assert.match(r.stdout, /^Temporal Web: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/MySQLOpsRequest%2F/m);
  const ops = await get(mysql.opsRequest, ns, 'myops-add-tls');
  assert.equal(ops.status.phase, 'Successful');

  const recorded = await recordedPlan(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'myops-add-tls' }, ops.metadata.uid));
  assert.deepEqual(recorded, dryRunPlan, 'the workflow executed the very plan `opsflow plan` printed');

  // The same file again: it exists with that spec, so apply follows it (it has ended: Successful, exit 0).
  const again = await cli('apply', '-f', examplePath('2-add-tls.yaml'));
  assert.equal(again.code, 0);
  assert.match(again.stdout, /myops-add-tls unchanged \(it exists with this spec, phase Successful\)/);
  // Another spec under that name is refused.
  const other = await cli('apply', '-f', await file('other.yaml', (await example('2-add-tls.yaml')).replace('requireSSL: true', 'requireSSL: false')));
  assert.equal(other.code, 1);
  assert.match(other.stderr, /exists with another spec \(existing → file: ~ spec\.tls\.requireSSL: true → false\)/);
});

test('status: the phase, each step with its duration, each pod\'s restart with its role, the run in Temporal Web', async () => {
  const r = await cli('status', 'myops-add-tls');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}Phase: +Successful +\(created \d+s ago, took [\d.]+m?s\)$/m);
  assert.match(r.stdout, /^ {2}Type: +ReconfigureTLS +\(add TLS with certificates from Issuer\/my-issuer\)$/m);
  assert.match(r.stdout, /^ {2}Web: +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\//m);
  assert.match(r.stdout, /^✔ +Create the certificates +done +\d+(ms|\.\ds) +\d\d:\d\d:\d\d\.\d{3} +create mysql-server-cert/m);
  assert.match(r.stdout, new RegExp(`^✔ +Restart ${primary} \\(primary\\) +done +\\d`, 'm'));
  assert.match(r.stdout, /^POD +ROLE +EVICTED +READY AGAIN +TOOK +STATE$/m);
  assert.match(r.stdout, new RegExp(`^${primary} +primary +\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\d+(ms|\\.\\ds) +restarted$`, 'm'));
  const json = JSON.parse((await cli('status', 'myops-add-tls', '-o', 'json')).stdout);
  assert.equal(json.phase, 'Successful');
  assert.ok(json.steps.length >= 12 && json.steps.every((s: any) => s.state === 'done'), JSON.stringify(json.steps));
  assert.deepEqual(json.pods.map((p: any) => p.role).sort(), ['primary', 'standby', 'standby']);
  assert.match(json.run.url, /^http:\/\/127\.0\.0\.1:\d+\//);
});

test('list: runs from Temporal\'s search attributes, filtered by namespace, kind, database, phase and time', async () => {
  const r = await cli('list');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAMESPACE +NAME +KIND +DATABASE +TYPE +PHASE +AGE +DURATION +WORKFLOW$/m);
  assert.match(r.stdout, new RegExp(`^${ns} +myops-add-tls +MySQLOpsRequest +mysql +ReconfigureTLS +Successful +\\d+[sm] +[\\d.]+m?s +MySQLOpsRequest/${ns}/myops-add-tls/`, 'm'));
  const rows = JSON.parse((await cli('list', '--kind', 'myops', '--database', 'mysql', '--phase', 'successful', '--since', '1h', '-o', 'json')).stdout);
  assert.deepEqual(rows.map((x: any) => [x.name, x.kind, x.database, x.phase]), [['myops-add-tls', 'MySQL', `${ns}/mysql`, 'Successful']]);
  assert.match((await cli('list', '--phase', 'Failed')).stdout, new RegExp(`^no OpsRequest runs in namespace ${ns} match$`, 'm'));
  assert.equal(JSON.parse((await cli('list', '--kind', 'PgpoolOpsRequest', '-o', 'json')).stdout).length, 0);
  assert.equal(JSON.parse((await cli('list', '--database', 'other', '-o', 'json')).stdout).length, 0);
});

test('history: each step with its attempts, errors and durations, from the workflow history', async () => {
  const r = await cli('history', 'myops-add-tls');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Before the steps:$/m);
  assert.match(r.stdout, /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}admit \[admit\]: completed, 1 attempt, \d+ms$/m);
  assert.match(r.stdout, /^\d+\. Create the certificates {2}\[UpdateCertificates\] {2}attempt 1: done in \d+(ms|\.\ds)$/m);
  assert.match(r.stdout, /^ {5}\d\d:\d\d:\d\d\.\d{3} {2}create the certificates \[setCertificates\]: completed, 1 attempt, \d+ms$/m);
  assert.match(r.stdout, new RegExp(`^ {3}\\d+\\.\\d+\\. Evict ${primary} {2}\\[EvictPod--${primary}\\] {2}attempt 1: done`, 'm'));
  assert.match(r.stdout, /^Ended \d\d:\d\d:\d\d\.\d{3}: completed$/m);
  const json = JSON.parse((await cli('history', 'myops-add-tls', '-o', 'json')).stdout);
  assert.ok(json.steps.every((s: any) => s.outcome === 'done' && s.attempt === 1));
  assert.equal(json.plan.summary, 'add TLS with certificates from Issuer/my-issuer');
});

test('watch: plain lines when not on a terminal, a progress bar and the step list on one; exit 0 when Successful', async () => {
  const rotate = await file('rotate.yaml', await example('3-rotate.yaml'));
  const created = await cli('apply', '-f', rotate, '--no-wait');
  assert.deepEqual([created.code, created.stdout], [0, `MySQLOpsRequest ${ns}/myops-rotate created\n`]);
  const plain = await cli('watch', 'myops-rotate');
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^\[ *\d+\.\ds\] ✔ IssueCertificatesSucceeded: mysql-/m);
  assert.doesNotMatch(plain.stdout, /\x1b\[/, 'no terminal codes when not on a terminal');
  assert.match(plain.stdout, new RegExp(`^MySQLOpsRequest ${ns}/myops-rotate: Successful`, 'm'));

  const tty = await opsflowCli(['apply', '-n', ns, '-f', await file('rotate-tty.yaml', (await example('3-rotate.yaml')).replace('name: myops-rotate', 'name: myops-rotate-tty'))], { tty: true });
  assert.equal(tty.code, 0, tty.stdout);
  assert.match(tty.stdout, /\x1b\[\d+F\x1b\[J/, 'the step list is redrawn in place');
  const screen = plainText(tty.stdout);
  assert.match(screen, /\[█{24}\] (\d+)\/\1 {2}Successful/, 'a full progress bar at the end');
  assert.match(screen, new RegExp(`^ {2}✔ Restart ${primary} \\(primary\\) {2}\\d+(ms|\\.\\ds)$`, 'm'));
  assert.match(screen, /^ {2}✔ Re-issue the certificates {2}\d+(ms|\.\ds)$/m);
});

test('cancel: the run stops and puts back what it changed (exit 0); a request that has ended cannot be cancelled (exit 1)', async () => {
  const issuer = (secretName: string) =>
    kube.custom.patchNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'issuers', namespace: ns, name: 'my-issuer', body: { spec: { ca: { secretName } } } }, mergePatch);
  const before = await get(res.certificate, ns, 'mysql-server-cert');
  await issuer('held-back'); // cert-manager cannot issue: the run waits in its issuance step
  const update = `apiVersion: ops.kubedb.com/v1alpha1
kind: MySQLOpsRequest
metadata: {name: myops-update}
spec:
  type: ReconfigureTLS
  databaseRef: {name: mysql}
  tls:
    certificates:
      - alias: server
        emailAddresses: ["ops@example.com"]
`;
  assert.equal((await cli('apply', '-f', await file('update.yaml', update), '--no-wait')).code, 0);
  await waitForObject<any, true>(mysql.opsRequest, ns, 'myops-update', (o) => (conditionOf(o, 'UpdateCertificates')?.status === 'True' ? true : undefined));
  assert.deepEqual((await get(res.certificate, ns, 'mysql-server-cert')).spec.emailAddresses, ['ops@example.com'], 'the Certificate was changed');

  const r = await cli('cancel', 'myops-update');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^cancellation of MySQLOpsRequest ${ns}/myops-update requested \\(run MySQLOpsRequest/${ns}/myops-update/`, 'm'));
  assert.match(r.stdout, /: Failed: Wait for cert-manager to issue the certificates failed: the run was cancelled\. Nothing was restarted; what the request changed was put back\./);
  const ops = await get(mysql.opsRequest, ns, 'myops-update');
  assert.equal(conditionOf(ops, 'Failed').reason, 'OpsRequestCancelled');
  assert.deepEqual((await get(res.certificate, ns, 'mysql-server-cert')).spec, before.spec, 'the Certificate is put back');
  assert.equal(isPaused(await get(mysql.database, ns, 'mysql')), false, 'the database is resumed');

  const again = await cli('cancel', 'myops-update');
  assert.deepEqual([again.code, again.stderr.trim()], [1, `opsflow: MySQLOpsRequest ${ns}/myops-update has already ended (Failed): nothing to cancel`]);
  await issuer('my-ca');

  // A request that fails: apply exits 1.
  const nothing = await cli('apply', '-f', await file('again.yaml', (await example('2-add-tls.yaml')).replace('name: myops-add-tls', 'name: myops-add-tls-again')));
  assert.equal(nothing.code, 1);
  assert.match(nothing.stdout, /myops-add-tls-again: Failed: spec\.tls: MySQL .* already has exactly this TLS configuration/);
});
