// Crash at every step of adding TLS to a 3-pod MySQL, with KubeDB's guide's request (see crash-matrix.ts):
// each certificate created and issued once, each pod restarted once, the database resumed, whichever point the
// worker died at. Each case is followed by a remove (without faults), so that the next one adds TLS again.
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { apply, conditionOf, res, waitForObject } from '../helpers/cluster.ts';
import { crashMatrix } from '../helpers/crash-matrix.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const mysql = tlsKinds.find((k) => k.kind === 'MySQL')!;
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url), 'utf8');
const named = (yaml: string, from: string, to: string) => yaml.replace(`name: ${from}\n`, `name: ${to}\n`) + '  timeout: 20s\n';
const finished = (ns: string, name: string) =>
  waitForObject<any, any>(mysql.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 120_000);

crashMatrix({
  title: 'an add TLS',
  opsRequest: mysql.opsRequest,
  database: mysql.database,
  databaseName: mysql.db,
  async setUp(ns) {
    await apply(ns, await example('0-issuers.yaml'));
    await waitForObject<any, true>(res.certificate, ns, mysql.issuers.first.caSecret, (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
    await apply(ns, await example('1-mysql.yaml'));
    await waitForObject<any, true>(mysql.database, ns, mysql.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  },
  apply: async (ns, name) => apply(ns, named(await example('2-add-tls.yaml'), mysql.ops.add, name)),
  issues: { certificates: Object.values(mysql.secrets), by: 'create' },
  restartsPods: true,
  async reset(ns, name) {
    await apply(ns, named(await example('6-remove.yaml'), mysql.ops.remove, `${name}-remove`));
    const removed = await finished(ns, `${name}-remove`);
    assert.equal(removed.status.phase, 'Successful', JSON.stringify(removed.status.conditions));
  },
});
