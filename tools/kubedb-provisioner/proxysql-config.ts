// The configuration KubeDB's provisioner renders for a ProxySQL into the Secret `<proxysql>-configuration`
// (key proxysql.cnf), which its pods mount where the image's entrypoint reads it: the admin interface on
// 6032 with the admin credentials — ProxySQL's local-only `admin` and the cluster user of the ProxySQL's auth
// Secret, which may connect from other hosts (a worker reaches each pod's admin interface with it) —, the
// MySQL interface on 6033, and the backend MySQL (spec.backend) as mysql_servers: each of its pods by its
// stable name under the governing Service, in hostgroup 2. ProxySQL reads it on the first start of a pod
// (when its datadir has no proxysql.db yet); later changes reach a running ProxySQL through its admin
// interface. Kept minimal: the declarative configuration (users, rules, variables) is still to come.
import type { V1Secret } from '@kubernetes/client-node';
import { podSelectorLabels, type DatabaseProfile } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import { desiredReplicas, governingServiceName, ownerReference } from './workload.ts';

export const proxysqlConfigSecretName = (db: string) => `${db}-configuration`;
export const proxysqlConfigMountPath = '/etc/custom-config';
export const proxysqlConfigKey = 'proxysql.cnf';

const str = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

export interface ProxySQLInputs {
  cluster: { username: string; password: string };
  /** The backend MySQL, when spec.backend names one that exists. */
  backend?: { profile: DatabaseProfile; db: Database };
}

export function proxysqlCnf(inputs: ProxySQLInputs): string {
  const { username, password } = inputs.cluster;
  const servers: string[] = [];
  if (inputs.backend) {
    const name = inputs.backend.db.metadata.name!;
    const ns = inputs.backend.db.metadata.namespace!;
    for (let i = 0; i < desiredReplicas(inputs.backend.profile, inputs.backend.db); i++) {
      servers.push(`    { address=${str(`${name}-${i}.${governingServiceName(name)}.${ns}.svc`)}, port=3306, hostgroup=2, weight=1 }`);
    }
  }
  return [
    `datadir=${str('/var/lib/proxysql')}`,
    '',
    'admin_variables=',
    '{',
    `    admin_credentials=${str(`admin:admin;${username}:${password}`)}`,
    `    mysql_ifaces=${str('0.0.0.0:6032')}`,
    '    refresh_interval=2000',
    `    cluster_username=${str(username)}`,
    `    cluster_password=${str(password)}`,
    '}',
    '',
    'mysql_variables=',
    '{',
    '    max_connections=2048',
    `    interfaces=${str('0.0.0.0:6033')}`,
    ...(inputs.backend?.db.spec?.version ? [`    server_version=${str(inputs.backend.db.spec.version)}`] : []),
    '}',
    '',
    'mysql_servers=',
    '(',
    servers.join(',\n'),
    ')',
    '',
  ].join('\n');
}

export function desiredProxySQLConfig(p: DatabaseProfile, db: Database, inputs: ProxySQLInputs): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: proxysqlConfigSecretName(db.metadata.name!),
      namespace: db.metadata.namespace,
      labels: podSelectorLabels(p, db.metadata.name!),
      ownerReferences: [ownerReference(p, db)],
    },
    type: 'Opaque',
    data: { [proxysqlConfigKey]: Buffer.from(proxysqlCnf(inputs)).toString('base64') },
  };
}
