// Pause, resume and readiness of a KubeDB database object. Pause is the status condition Paused=True, which
// KubeDB's provisioner honours by leaving the database alone; it is read back before the flow goes on.
import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { findCondition, isConditionTrue, removeCondition, upsertCondition } from '../model/conditions.ts';
import { pauseEvents, resumeEvents, type EventContext } from '../model/events.ts';
import { profiles } from '../model/profiles.ts';
import type { DatabaseSpecPatch } from '../model/plan.ts';
import type { Database } from '../model/types.ts';
import { isConflict, type Kube } from '../platform/kube.ts';
import { readCustom, updateStatus } from '../platform/status.ts';
import { waitFor } from '../platform/watch.ts';
import { emitEvents } from './events.ts';
import { kubeCall } from './failures.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource } from './resources.ts';

const describe = (db: DatabaseRef) => `${db.kind} ${db.namespace}/${db.name}`;

export function databaseActivities(kube: Kube) {
  return {
    async pauseDatabase(db: DatabaseRef, by: OpsRequestRef): Promise<void> {
      const r = databaseResource(db);
      const context: EventContext = { opsKind: by.kind, namespace: db.namespace, opsName: by.name, dbKind: db.kind, dbName: db.name };
      const message = `paused by opsflow for ${by.kind} ${by.namespace}/${by.name}`;
      await kubeCall(`pausing ${describe(db)}`, () =>
        updateStatus<Database>(kube, r, (cur) => {
          if (findCondition(cur.status?.conditions, 'Paused')?.status === 'True') return undefined;
          const conditions = upsertCondition(
            cur.status?.conditions,
            {
              type: 'Paused',
              status: 'True',
              reason: 'OpsRequestProgressing',
              message,
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
      // Emitted once the pause is certain (a retried attempt emits the same occurrence, which counts once).
      if (findCondition(after.status?.conditions, 'Paused')?.message === message) await emitEvents(kube, context, [pauseEvents.pausing(context), pauseEvents.paused(context)], { db: after.metadata.uid });
    },

    async resumeDatabase(db: DatabaseRef): Promise<void> {
      let resumed = false;
      const written = await kubeCall(`resuming ${describe(db)}`, () =>
        updateStatus<Database>(kube, databaseResource(db), (cur) =>
          findCondition(cur.status?.conditions, 'Paused')
            ? ((resumed = true), { ...cur.status, conditions: removeCondition(cur.status?.conditions, 'Paused') })
            : undefined,
        ),
      ).catch((err) => {
        // A database that is gone cannot stay paused: nothing to undo.
        if (err instanceof ApplicationFailure && err.type === 'KubernetesApi404') return undefined;
        throw err;
      });
      if (resumed && written) {
        const context: EventContext = { opsKind: 'MySQLOpsRequest', namespace: db.namespace, opsName: '', dbKind: db.kind, dbName: db.name };
        await emitEvents(kube, context, [resumeEvents.resuming(db.kind, db.namespace, db.name), resumeEvents.resumed(db.kind, db.namespace, db.name)], { db: written.metadata.uid });
      }
    },

    /** Sets (or, for null, removes) the spec fields the plan names, guarded by resourceVersion. */
    async updateDatabaseSpec(db: DatabaseRef, patch: DatabaseSpecPatch): Promise<{ generation: number }> {
      const r = databaseResource(db);
      return kubeCall(`updating the spec of ${describe(db)}`, async () => {
        for (let attempt = 1; ; attempt++) {
          const current = await readCustom<Database>(kube, r);
          const spec: Record<string, unknown> = { ...current.spec };
          for (const [field, value] of Object.entries(patch)) {
            if (value === null) delete spec[field];
            else spec[field] = value;
          }
          if (isDeepStrictEqual(spec, current.spec)) return { generation: current.metadata.generation ?? 0 };
          try {
            const written = (await kube.custom.replaceNamespacedCustomObject({ ...r, body: { ...current, spec } })) as Database;
            return { generation: written.metadata.generation ?? 0 };
          } catch (err) {
            if (!isConflict(err) || attempt >= 5) throw err;
          }
        }
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
