// The Secret an applyConfig merges into, while the database is paused: created once, owned by the database and
// labelled with the request (a retry finds its own; the undo deletes only that). File contents are read and
// written here, never carried in the plan or the history: a configuration may hold passwords. What is written
// must be what the plan saw (its hash).
import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { configHash } from '../model/config-hash.ts';
import { nextConfigFiles, type ConfigFiles, type CustomConfigRequest } from '../model/custom-config.ts';
import { podSelectorLabels, profiles } from '../model/profiles.ts';
import type { Database, OpsRequest } from '../model/types.ts';
import { isNotFound, secretData, secretFiles, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource, opsRequestResource } from './resources.ts';

const decode = (s: V1Secret | undefined): ConfigFiles => secretFiles(s) ?? {};

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
            data: secretData(files),
          },
        });
        return `Secret ${secretName}: ${Object.keys(files).join(', ')} (${Object.keys(applyConfig).join(', ')} merged${base ? ` over Secret ${base}` : ''})`;
      });
    },

    /** Deletes the Secret `ops`'s applyConfig wrote: one labelled with another request, or holding other files, is left alone. */
    async deleteConfigSecret(db: DatabaseRef, ops: OpsRequestRef, secretName: string, hash: string): Promise<string> {
      return kubeCall(`deleting Secret ${db.namespace}/${secretName}`, async () => {
        const secret = await readSecret(db.namespace, secretName);
        if (!secret) return `Secret ${secretName} is already gone`;
        if (secret.metadata?.labels?.['ops.kubedb.com/name'] !== ops.name || configHash(decode(secret)) !== hash) return `Secret ${secretName} is not the one this request wrote: left as it is`;
        await kube.core.deleteNamespacedSecret({ namespace: db.namespace, name: secretName, body: { preconditions: { uid: secret.metadata!.uid } } }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
        return `Secret ${secretName} deleted`;
      });
    },
  };
}
