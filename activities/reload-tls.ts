// A rotation without restarts (`opsflow.dev/rotate: in-place`): the server reloads the certificate files
// mounted in its pod — MariaDB `FLUSH SSL`, MySQL `ALTER INSTANCE RELOAD TLS` (told apart by its version),
// ProxySQL `PROXYSQL RELOAD TLS` on its admin interface — and is checked by handshake. The kubelet refreshes
// a mounted Secret on its own schedule and a pod's files cannot be watched from here, so until the pod serves
// the new certificate the reload is tried again every second, heartbeating, within the step's limit.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { ServingCheck } from '../model/plan.ts';
import type { Database } from '../model/types.ts';
import type { Kube } from '../platform/kube.ts';
import { podEndpoint } from '../platform/pod-endpoint.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { admin, credentials, withConnection } from './proxysql.ts';
import type { DatabaseRef } from './refs.ts';
import { databaseResource } from './resources.ts';
import { checkServing } from './serving.ts';

const retryEveryMs = 1000;

export function reloadTLSActivities(kube: Kube) {
  async function reloadMySQL(db: DatabaseRef, pod: string, port: number): Promise<string> {
    const [object, current] = await Promise.all([
      kubeCall(`reading ${db.kind} ${db.namespace}/${db.name}`, () => readCustom<Database>(kube, databaseResource(db))),
      kubeCall(`reading pod ${db.namespace}/${pod}`, () => kube.core.readNamespacedPod({ namespace: db.namespace, name: pod })),
    ]);
    const login = await kubeCall('reading the auth Secret', () => credentials(kube, object));
    // Over TLS, so that requireSSL does not refuse the login; the certificate is checked by handshake afterwards.
    return withConnection({ ...podEndpoint(current, port), ...login, ssl: { rejectUnauthorized: false } }, `${pod}'s server`, async (c) => {
      const [[row]] = (await c.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
      const statement = /mariadb/i.test(row.version) ? 'FLUSH SSL' : 'ALTER INSTANCE RELOAD TLS';
      await c.query(statement);
      return statement;
    });
  }

  return {
    async reloadTLS(db: DatabaseRef, pod: string, how: 'mysql' | 'proxysql', check: ServingCheck): Promise<string> {
      let last = 'not reloaded yet';
      return whileHeartbeating(async (signal) => {
        for (;;) {
          const statement = how === 'mysql' ? await reloadMySQL(db, pod, check.port) : (await admin(kube, db, pod, (c) => c.query('PROXYSQL RELOAD TLS')), 'PROXYSQL RELOAD TLS');
          try {
            return `${await checkServing(kube, db, pod, check)} after ${statement}`;
          } catch (err) {
            if (!(err instanceof ApplicationFailure) || err.nonRetryable) throw err;
            last = err.message;
          }
          await sleep(retryEveryMs, undefined, { signal });
        }
      }, () => ({ pod, last }));
    },
  };
}
