// Pause, resume and readiness of a KubeDB database object. Pause is the status condition Paused=True, which
// KubeDB's provisioner honours by leaving the database alone; it is read back before the flow goes on.
import { ApplicationFailure } from '@temporalio/common';
import { findCondition, isConditionTrue, removeCondition, upsertCondition } from '../model/conditions.ts';
import { profiles } from '../model/profiles.ts';
import type { Database } from '../model/types.ts';
import type { Kube } from '../platform/kube.ts';
import { readCustom, updateStatus } from '../platform/status.ts';
import { waitFor } from '../platform/watch.ts';
import { kubeCall } from './failures.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource } from './resources.ts';

const describe = (db: DatabaseRef) => `${db.kind} ${db.namespace}/${db.name}`;

export function databaseActivities(kube: Kube) {
  return {
    async pauseDatabase(db: DatabaseRef, by: OpsRequestRef): Promise<void> {
      const r = databaseResource(db);
      await kubeCall(`pausing ${describe(db)}`, () =>
        updateStatus<Database>(kube, r, (cur) => {
          const paused = findCondition(cur.status?.conditions, 'Paused');
          if (paused?.status === 'True') return undefined;
          const conditions = upsertCondition(
            cur.status?.conditions,
            {
              type: 'Paused',
              status: 'True',
              reason: 'OpsRequestProgressing',
              message: `paused by opsflow for ${by.kind} ${by.namespace}/${by.name}`,
              observedGeneration: cur.metadata.generation,
            },
            new Date().toISOString(),
          );
          return { ...cur.status, conditions };
        }),
      );
      // Read back: the flow must not go on before the pause is really there.
      const after = await kubeCall(`reading ${describe(db)}`, () => readCustom<Database>(kube, r));
      if (!isConditionTrue(after.status?.conditions, 'Paused')) {
        throw ApplicationFailure.retryable(`${describe(db)}: the Paused condition did not persist`, 'PauseNotObserved');
      }
    },

    async resumeDatabase(db: DatabaseRef): Promise<void> {
      await kubeCall(`resuming ${describe(db)}`, () =>
        updateStatus<Database>(kube, databaseResource(db), (cur) =>
          findCondition(cur.status?.conditions, 'Paused')
            ? { ...cur.status, conditions: removeCondition(cur.status?.conditions, 'Paused') }
            : undefined,
        ),
      ).catch((err) => {
        // A database that is gone cannot stay paused: nothing to undo.
        if (err instanceof ApplicationFailure && err.type === 'KubernetesApi404') return;
        throw err;
      });
    },

    /** `apply: IfReady`: waits (watching, heartbeating) until the database's phase is Ready. */
    async waitDatabaseReady(db: DatabaseRef): Promise<void> {
      const p = profiles[db.kind];
      let phase: string | undefined;
      await whileHeartbeating(
        (signal) =>
          waitFor<Database, true>(
            kube,
            { apiVersion: `${p.group}/${p.version}`, kind: p.kind, plural: p.plural, namespace: db.namespace },
            { fieldSelector: `metadata.name=${db.name}` },
            ([obj]) => {
              phase = obj?.status?.phase;
              return phase === 'Ready' ? true : undefined;
            },
            signal,
          ),
        () => ({ phase }),
      );
    },
  };
}
