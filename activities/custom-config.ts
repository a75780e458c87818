// A Reconfigure's writes to the custom configuration, while the database is paused: the Secret an applyConfig
// merges into (created once, owned by the database; a retry finds its own), and Pgpool's pgpool.conf rendered
// from the custom configuration. File contents are read and written here, never carried in the plan or the
// history: a configuration may hold passwords. What is written must be what the plan saw (its hash).
import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { configHash } from '../model/config-hash.ts';
import { nextConfigFiles, type ConfigFiles, type CustomConfigRequest } from '../model/custom-config.ts';
import { pgpoolConfKey, poolHba, poolHbaKey, withPgpoolTLS } from '../model/pgpool-config.ts';
import { renderPgpoolConf } from '../model/pgpool-conf.ts';
import { podSelectorLabels, profiles } from '../model/profiles.ts';
import type { TLSLayout } from '../model/tls-layout.ts';
import type { Database, OpsRequest } from '../model/types.ts';
import { isConflict, isNotFound, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource, opsRequestResource } from './resources.ts';

const decode = (s: V1Secret | undefined): ConfigFiles => Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
const encode = (files: ConfigFiles) => Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
const attempts = 5;

export function customConfigActivities(kube: Kube) {
  const readSecret = (namespace: string, name: string) =>
    kube.core.readNamespacedSecret({ namespace, name }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));

  return {
    /** Creates Secret `secretName` with the OpsRequest's applyConfig merged over the files of Secret `base` (null: none); they must hash to `hash`. */
    async createConfigSecret(db: DatabaseRef, ops: OpsRequestRef, secretName: string, base: string | null, hash: string): Promise<string> {
      const p = profiles[db.kind];
      return kubeCall(`writing Secret ${db.namespace}/${secretName}`, async () => {
        const request = await readCustom<OpsRequest>(kube, opsRequestResource(ops));
        const applyConfig = ((request.spec?.configuration ?? {}) as CustomConfigRequest).applyConfig as ConfigFiles | undefined;
        if (!applyConfig) throw ApplicationFailure.nonRetryable(`${ops.kind} ${ops.namespace}/${ops.name} has no spec.configuration.applyConfig any more`, 'ConfigChanged');
        const baseSecret = base ? await readSecret(db.namespace, base) : undefined;
        if (base && !baseSecret) throw ApplicationFailure.nonRetryable(`Secret ${db.namespace}/${base}, the configuration to merge into, is gone`, 'ConfigChanged');
        const files = nextConfigFiles(p, { applyConfig }, base ? decode(baseSecret) : undefined, undefined)!;
        if (configHash(files) !== hash) {
          throw ApplicationFailure.nonRetryable(`the files to merge changed after the plan was made (Secret ${db.namespace}/${base ?? '-'}): apply the request again to merge into what it holds now`, 'ConfigChanged');
        }
        const existing = await readSecret(db.namespace, secretName);
        if (existing) {
          if (configHash(decode(existing)) === hash) return `Secret ${secretName} already holds the merged configuration`;
          throw ApplicationFailure.nonRetryable(`Secret ${db.namespace}/${secretName} exists with other contents; delete it or rename the database's configuration`, 'ConfigConflict');
        }
        const database = await readCustom<Database>(kube, databaseResource(db));
        await kube.core.createNamespacedSecret({
          namespace: db.namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: secretName,
              namespace: db.namespace,
              labels: { ...podSelectorLabels(p, db.name), 'ops.kubedb.com/kind': ops.kind, 'ops.kubedb.com/name': ops.name },
              ownerReferences: [{ apiVersion: database.apiVersion ?? `${p.group}/${p.version}`, kind: p.kind, name: db.name, uid: database.metadata.uid!, controller: true, blockOwnerDeletion: true }],
            },
            type: 'Opaque',
            data: encode(files),
          },
        });
        return `Secret ${secretName}: ${Object.keys(files).join(', ')} (${Object.keys(applyConfig).join(', ')} merged${base ? ` over Secret ${base}` : ''})`;
      });
    },

    /** Deletes a Secret an applyConfig wrote (gone already is fine). */
    async deleteConfigSecret(db: DatabaseRef, secretName: string): Promise<void> {
      await kubeCall(`deleting Secret ${db.namespace}/${secretName}`, () =>
        kube.core.deleteNamespacedSecret({ namespace: db.namespace, name: secretName }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
      );
    },

    /** Renders Pgpool's pgpool.conf (and pool_hba.conf) into `secretName` from the custom configuration Secret `custom` (null: the defaults). */
    async renderPgpoolConfig(db: DatabaseRef, secretName: string, custom: string | null, tls: TLSLayout): Promise<{ changed: boolean }> {
      const p = profiles[db.kind];
      return kubeCall(`rendering Secret ${db.namespace}/${secretName}`, async () => {
        const database = await readCustom<Database>(kube, databaseResource(db));
        const customSecret = custom ? await readSecret(db.namespace, custom) : undefined;
        if (custom && !customSecret) throw ApplicationFailure.nonRetryable(`Secret ${db.namespace}/${custom}, the custom configuration, is gone`, 'ConfigChanged');
        const own = custom ? decode(customSecret)[pgpoolConfKey] : undefined;
        const conf = withPgpoolTLS(p, renderPgpoolConf(p, database, database.spec?.replicas ?? p.defaultReplicas(database.spec ?? {}), own), tls);
        for (let attempt = 1; ; attempt++) {
          const secret = await kube.core.readNamespacedSecret({ namespace: db.namespace, name: secretName });
          const now = decode(secret);
          if (now[pgpoolConfKey] === conf && now[poolHbaKey] === poolHba(tls)) return { changed: false };
          try {
            await kube.core.replaceNamespacedSecret({ namespace: db.namespace, name: secretName, body: { ...secret, data: { ...secret.data, ...encode({ [pgpoolConfKey]: conf, [poolHbaKey]: poolHba(tls) }) } } });
            return { changed: true };
          } catch (err) {
            if (!isConflict(err) || attempt >= attempts) throw err;
          }
        }
      });
    },
  };
}
