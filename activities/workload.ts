// The database's workload (StatefulSet, or PetSet in newer KubeDB; same template shape) and its rendered
// configuration Secret, changed while the database is paused: the pod template gets the TLS layout the plan
// names (KubeDB's volumes, mounts and arguments), the configuration its TLS keys. Pods take the new template
// only when they restart (updateStrategy OnDelete).
import { isDeepStrictEqual } from 'node:util';
import type { V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { configHash, configHashAnnotation, configHashOf } from '../model/config-hash.ts';
import { withCustomConfig } from '../model/custom-config.ts';
import { poolHba, poolHbaKey, pgpoolConfKey, withPgpoolTLS } from '../model/pgpool-config.ts';
import { renderPgpoolConf } from '../model/pgpool-settings.ts';
import type { WorkloadRef } from '../model/plan.ts';
import { profiles } from '../model/profiles.ts';
import { hasTLSLayout, withTLS, type TLSLayout } from '../model/tls-layout.ts';
import type { Database } from '../model/types.ts';
import { isConflict, isNotFound, mergePatch, secretData, secretFiles, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import type { DatabaseRef } from './refs.ts';
import { databaseResource, petSetResource } from './resources.ts';

const attempts = 5;

export function workloadActivities(kube: Kube) {
  const read = (db: DatabaseRef, w: WorkloadRef): Promise<V1StatefulSet> =>
    w.kind === 'PetSet' ? readCustom<V1StatefulSet>(kube, petSetResource(db.namespace, w.name)) : kube.apps.readNamespacedStatefulSet({ namespace: db.namespace, name: w.name });

  const patch = (db: DatabaseRef, w: WorkloadRef, body: object) =>
    w.kind === 'PetSet'
      ? kube.custom.patchNamespacedCustomObject({ ...petSetResource(db.namespace, w.name), body }, mergePatch)
      : kube.apps.patchNamespacedStatefulSet({ namespace: db.namespace, name: w.name, body }, mergePatch);

  return {
    /** Gives the workload's pod template the TLS layout `tls` (and `configHash`, when given); returns whether it changed. */
    async updateWorkload(db: DatabaseRef, workload: WorkloadRef, tls: TLSLayout, configHash?: string | null): Promise<{ changed: boolean }> {
      const p = profiles[db.kind];
      return kubeCall(`updating ${workload.kind} ${db.namespace}/${workload.name}`, async () => {
        for (let attempt = 1; ; attempt++) {
          const current = await read(db, workload);
          const template = current.spec!.template as V1PodTemplateSpec;
          const hashChanges = configHash !== undefined && (configHashOf(template) ?? null) !== configHash;
          if (hasTLSLayout(p, tls, template) && !hashChanges) return { changed: false };
          const next = withTLS(p, tls, template);
          try {
            // Merge patches replace lists whole: the complete volumes and containers, from the version read.
            await patch(db, workload, {
              metadata: { resourceVersion: current.metadata!.resourceVersion },
              spec: {
                template: {
                  ...(hashChanges ? { metadata: { annotations: { [configHashAnnotation]: configHash } } } : {}),
                  spec: { volumes: next.spec!.volumes ?? null, containers: next.spec!.containers },
                },
              },
            });
            return { changed: true };
          } catch (err) {
            if (!isConflict(err) || attempt >= attempts) throw err;
          }
        }
      });
    },

    /** Mounts the custom configuration Secret `secretName` (null: none) with `hash` of what the pods load; returns whether it changed. */
    async setCustomConfig(db: DatabaseRef, workload: WorkloadRef, secretName: string | null, hash: string | null): Promise<{ changed: boolean }> {
      const p = profiles[db.kind];
      return kubeCall(`updating ${workload.kind} ${db.namespace}/${workload.name}`, async () => {
        for (let attempt = 1; ; attempt++) {
          const current = await read(db, workload);
          const template = current.spec!.template as V1PodTemplateSpec;
          const next = withCustomConfig(p, template, secretName, hash);
          if (isDeepStrictEqual(next, template)) return { changed: false };
          try {
            // Merge patches replace lists whole (volumes, containers); an annotation set to null is removed.
            await patch(db, workload, {
              metadata: { resourceVersion: current.metadata!.resourceVersion },
              spec: {
                template: {
                  metadata: { annotations: { [configHashAnnotation]: hash } },
                  spec: { volumes: next.spec!.volumes ?? null, containers: next.spec!.containers },
                },
              },
            });
            return { changed: true };
          } catch (err) {
            if (!isConflict(err) || attempt >= attempts) throw err;
          }
        }
      });
    },

    /**
     * Renders Pgpool's pgpool.conf (and pool_hba.conf) into `secretName` from the custom configuration Secret
     * `custom` (null: the defaults); the files must hash to `hash` when given (what the plan saw).
     */
    async renderPgpoolConfig(db: DatabaseRef, secretName: string, custom: string | null, tls: TLSLayout, hash?: string | null): Promise<{ changed: boolean }> {
      const p = profiles[db.kind];
      return kubeCall(`rendering Secret ${db.namespace}/${secretName}`, async () => {
        const database = await readCustom<Database>(kube, databaseResource(db));
        const customSecret = custom ? await kube.core.readNamespacedSecret({ namespace: db.namespace, name: custom }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))) : undefined;
        if (custom && !customSecret) throw ApplicationFailure.nonRetryable(`Secret ${db.namespace}/${custom}, the custom configuration, is gone`, 'ConfigChanged');
        const own = secretFiles(customSecret)?.[pgpoolConfKey];
        const files = { [pgpoolConfKey]: withPgpoolTLS(p, renderPgpoolConf(p, database, database.spec?.replicas ?? p.defaultReplicas(database.spec ?? {}), own), tls), [poolHbaKey]: poolHba(tls) };
        for (let attempt = 1; ; attempt++) {
          const secret = await kube.core.readNamespacedSecret({ namespace: db.namespace, name: secretName });
          const now = secretFiles(secret)!;
          const next = { ...now, ...files };
          if (hash && configHash(next) !== hash) {
            throw ApplicationFailure.nonRetryable(`the configuration to render changed after the plan was made (Secret ${db.namespace}/${custom ?? secretName}): apply the request again`, 'ConfigChanged');
          }
          if (isDeepStrictEqual(next, now)) return { changed: false };
          try {
            await kube.core.replaceNamespacedSecret({ namespace: db.namespace, name: secretName, body: { ...secret, data: secretData(next) } });
            return { changed: true };
          } catch (err) {
            if (!isConflict(err) || attempt >= attempts) throw err;
          }
        }
      });
    },

    /** Sets the TLS keys of the rendered configuration (Pgpool's pgpool.conf and pool_hba.conf); returns whether it changed. */
    async updateRenderedConfig(db: DatabaseRef, secretName: string, tls: TLSLayout): Promise<{ changed: boolean }> {
      const p = profiles[db.kind];
      return kubeCall(`updating Secret ${db.namespace}/${secretName}`, async () => {
        for (let attempt = 1; ; attempt++) {
          const secret = await kube.core.readNamespacedSecret({ namespace: db.namespace, name: secretName });
          const text = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
          const conf = withPgpoolTLS(p, text(pgpoolConfKey), tls);
          const hba = poolHba(tls);
          if (conf === text(pgpoolConfKey) && hba === text(poolHbaKey)) return { changed: false };
          const data = { ...secret.data, [pgpoolConfKey]: Buffer.from(conf).toString('base64'), [poolHbaKey]: Buffer.from(hba).toString('base64') };
          try {
            await kube.core.replaceNamespacedSecret({ namespace: db.namespace, name: secretName, body: { ...secret, data } });
            return { changed: true };
          } catch (err) {
            if (!isConflict(err) || attempt >= attempts) throw err;
          }
        }
      });
    },
  };
}
