// The configuration KubeDB's provisioner renders for a Pgpool into the Secret `<pgpool>-config`: pgpool.conf
// with the defaults KubeDB's Pgpool guides show (backends from spec.postgresRef, max_pool = replicas × 15),
// its TLS keys as the database's TLS says, and pool_hba.conf for its clientAuthMode.
import type { V1Secret } from '@kubernetes/client-node';
import { poolHba, poolHbaKey, pgpoolConfKey, withPgpoolTLS } from '../../model/pgpool-config.ts';
import { podSelectorLabels, type DatabaseProfile } from '../../model/profiles.ts';
import { tlsLayout } from '../../model/tls-layout.ts';
import type { Database } from '../../model/types.ts';
import { desiredReplicas, ownerReference } from './workload.ts';

function defaultPgpoolConf(p: DatabaseProfile, db: Database): string {
  const backend = (db.spec?.postgresRef ?? {}) as { name?: string; namespace?: string };
  const pg = backend.name ?? `${db.metadata.name}-postgres`;
  const pgNamespace = backend.namespace ?? db.metadata.namespace;
  return [
    `backend_hostname0 = '${pg}.${pgNamespace}.svc'`,
    'backend_port0 = 5432',
    'backend_weight0 = 1',
    "backend_flag0 = 'ALWAYS_PRIMARY|DISALLOW_TO_FAILOVER'",
    `backend_hostname1 = '${pg}-standby.${pgNamespace}.svc'`,
    'backend_port1 = 5432',
    'backend_weight1 = 1',
    "backend_flag1 = 'DISALLOW_TO_FAILOVER'",
    'enable_pool_hba = on',
    'listen_addresses = *',
    `port = ${p.container.port}`,
    "socket_dir = '/var/run/pgpool'",
    'pcp_listen_addresses = *',
    'pcp_port = 9595',
    "pcp_socket_dir = '/var/run/pgpool'",
    'log_per_node_statement = on',
    'sr_check_period = 0',
    'health_check_period = 0',
    "backend_clustering_mode = 'streaming_replication'",
    'num_init_children = 5',
    `max_pool = ${desiredReplicas(p, db) * 15}`,
    'child_life_time = 300',
    'child_max_connections = 0',
    'connection_life_time = 0',
    'client_idle_limit = 0',
    'connection_cache = on',
    'load_balance_mode = on',
    "ssl = 'off'",
    "failover_on_backend_error = 'off'",
    "log_min_messages = 'warning'",
    "statement_level_load_balance = 'off'",
    "memory_cache_enabled = 'off'",
    "memqcache_oiddir = '/tmp/oiddir/'",
    "allow_clear_text_frontend_auth = 'false'",
    '',
  ].join('\n');
}

/** The rendered configuration Secret of a database whose kind has one. */
export function desiredConfigSecret(p: DatabaseProfile, db: Database): V1Secret | undefined {
  if (!p.renderedConfig) return undefined;
  const layout = tlsLayout(p, db);
  const data = {
    [pgpoolConfKey]: withPgpoolTLS(p, defaultPgpoolConf(p, db), layout),
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
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}
