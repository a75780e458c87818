// The configuration KubeDB's provisioner renders for a ProxySQL into the Secret `<proxysql>-configuration`
// (key proxysql.cnf), which its pods mount where the image's entrypoint reads it: the admin interface on
// 6032 with the admin credentials — ProxySQL's local-only `admin` and the cluster user of the ProxySQL's auth
// Secret, which may connect from other hosts (a worker reaches each pod's admin interface with it) —, the
// MySQL interface on 6033, and the backend MySQL (spec.backend) as mysql_servers: each of its pods by its
// stable name under the governing Service, in hostgroup 2. ProxySQL reads it on the first start of a pod
// (when its datadir has no proxysql.db yet); later changes reach a running ProxySQL through its admin
// interface. The declarative configuration (spec.configuration.init.inline, or spec.initConfig on older
// objects: mysqlUsers, mysqlQueryRules, mysqlVariables, adminVariables) is rendered in, each user with the
// password hash the backend has for it; with spec.syncUsers every backend user is there too.
import type { V1Secret } from '@kubernetes/client-node';
import { podSelectorLabels, type DatabaseProfile } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';
import { desiredReplicas, governingServiceName, ownerReference } from './workload.ts';

export const proxysqlConfigSecretName = (db: string) => `${db}-configuration`;
export const proxysqlConfigMountPath = '/etc/custom-config';
export const proxysqlConfigKey = 'proxysql.cnf';

const str = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

type Row = Record<string, string | number>;

export interface Declarative {
  mysqlUsers?: Row[];
  mysqlQueryRules?: Row[];
  mysqlVariables?: Record<string, string | number>;
  adminVariables?: Record<string, string | number>;
}

export interface ProxySQLInputs {
  cluster: { username: string; password: string };
  /** The backend MySQL, when spec.backend names one that exists. */
  backend?: { profile: DatabaseProfile; db: Database };
  declarative?: Declarative;
  /** The backend's users and their mysql_native_password hashes (all of them with syncUsers). */
  backendUsers?: Map<string, string>;
  syncUsers?: boolean;
}

/** Where the object keeps its declarative configuration. */
export const declarativeOf = (db: Database): Declarative =>
  ((db.spec?.initConfig as Declarative | undefined) ?? ((db.spec?.configuration as { init?: { inline?: Declarative } } | undefined)?.init?.inline) ?? {});

const value = (v: string | number) => (typeof v === 'number' || /^(-?\d+|true|false)$/.test(v) ? String(v) : str(v));
const section = (vars: Record<string, string | number>) => Object.entries(vars).map(([k, v]) => `    ${k}=${value(v)}`);
const group = (row: Row) => `    { ${Object.entries(row).map(([k, v]) => `${k}=${value(v)}`).join(', ')} }`;

/** The users proxysql.cnf lists: the declarative ones with their backend password, then (syncUsers) every other backend user. */
function users(inputs: ProxySQLInputs): Row[] {
  const hashes = inputs.backendUsers ?? new Map<string, string>();
  const declared: Row[] = (inputs.declarative?.mysqlUsers ?? []).filter((u) => hashes.has(String(u.username))).map((u) => ({ ...u, password: hashes.get(String(u.username))! }));
  const synced = inputs.syncUsers ? [...hashes].filter(([u]) => !declared.some((d) => d.username === u)).map(([username, password]) => ({ username, password, default_hostgroup: 2 })) : [];
  return [...declared, ...synced];
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
    ...section({
      admin_credentials: `admin:admin;${username}:${password}`,
      mysql_ifaces: '0.0.0.0:6032',
      refresh_interval: 2000,
      cluster_username: username,
      cluster_password: password,
      ...inputs.declarative?.adminVariables,
    }),
    '}',
    '',
    'mysql_variables=',
    '{',
    ...section({
      max_connections: 2048,
      interfaces: '0.0.0.0:6033',
      ...(inputs.backend?.db.spec?.version ? { server_version: String(inputs.backend.db.spec.version) } : {}),
      ...inputs.declarative?.mysqlVariables,
    }),
    '}',
    '',
    'mysql_servers=',
    '(',
    servers.join(',\n'),
    ')',
    '',
    'mysql_users=',
    '(',
    users(inputs).map(group).join(',\n'),
    ')',
    '',
    'mysql_query_rules=',
    '(',
    (inputs.declarative?.mysqlQueryRules ?? []).map(group).join(',\n'),
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
