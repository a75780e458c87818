// The configuration KubeDB's provisioner renders for a Pgpool into the Secret `<pgpool>-config`: pgpool.conf
// as KubeDB renders it (model/pgpool-settings.ts: backends, the custom configuration, the defaults its guides
// show), its TLS keys as the database's TLS says, and pool_hba.conf for its clientAuthMode.
import type { V1Secret } from '@kubernetes/client-node';
import { poolHba, poolHbaKey, pgpoolConfKey, withPgpoolTLS } from '../../model/pgpool-config.ts';
import { renderPgpoolConf } from '../../model/pgpool-settings.ts';
import { podSelectorLabels, type DatabaseProfile } from '../../model/profiles.ts';
import { tlsLayout } from '../../model/tls-layout.ts';
import { secretData } from '../../platform/kube.ts';
import type { Database } from '../../model/types.ts';
import { desiredReplicas, ownerReference } from './workload.ts';

/** The rendered configuration Secret of a database whose kind has one; `custom`: its custom pgpool.conf. */
export function desiredConfigSecret(p: DatabaseProfile, db: Database, custom?: string): V1Secret | undefined {
  if (!p.renderedConfig) return undefined;
  const layout = tlsLayout(p, db);
  const data = {
    [pgpoolConfKey]: withPgpoolTLS(p, renderPgpoolConf(p, db, desiredReplicas(p, db), custom), layout),
    [poolHbaKey]: poolHba(layout),
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: p.renderedConfig.secretName(db.metadata.name!),
      namespace: db.metadata.namespace,
      labels: podSelectorLabels(p, db.metadata.name!),
      ownerReferences: [ownerReference(p, db)],
    },
    type: 'Opaque',
    data: secretData(data),
  };
}
