// What differs between the database kinds opsflow serves, as data: names, certificate aliases and their
// defaults, where KubeDB mounts the certificate Secrets, the server arguments TLS adds, and the restart order.
// Facts from KubeDB's API and guides (see the README's API notes).

export type DatabaseKind = 'MySQL' | 'PerconaXtraDB' | 'ProxySQL' | 'Pgpool';
export type OpsRequestKind = `${DatabaseKind}OpsRequest`;

/** A file of a certificate Secret projected into the pod: Secret key → file name under the mount path. */
export interface ProjectedFile {
  alias: string;
  key: 'ca.crt' | 'tls.crt' | 'tls.key';
  path: string;
}

export interface TLSMount {
  volume: string;
  mountPath: string;
  files: ProjectedFile[];
}

export interface CertificateDefaults {
  commonName: (db: string, namespace: string) => string;
  organizations?: string[];
  organizationalUnits?: string[];
  /** A server certificate carries the database's service DNS names and must cover the names clients use. */
  serviceDNSNames: boolean;
}

/** The TLS switches of a kind's ReconfigureTLS besides issuerRef and certificates (`spec.tls.<field>`, and the same field on the database). */
export type TLSSwitch = 'requireSSL' | 'sslMode' | 'clientAuthMode';

export interface DatabaseProfile {
  kind: DatabaseKind;
  group: 'kubedb.com';
  version: 'v1' | 'v1alpha2';
  plural: string;
  opsRequest: { kind: OpsRequestKind; plural: string; targetField: 'databaseRef' | 'proxyRef' };
  /** The certificate aliases KubeDB creates for a TLS-enabled database of this kind, with their defaults. */
  certificates: Record<string, CertificateDefaults>;
  /** `app.kubernetes.io/component` of the kind's Certificates. */
  certificateComponent: 'database' | 'connection-pooler';
  tlsSwitches: TLSSwitch[];
  tlsMounts: TLSMount[];
  /** The server's container and the port clients use, and how they speak to it (for the TLS check of each pod). */
  container: { name: string; port: number; protocol: 'mysql' | 'postgres' };
  /**
   * How a running server takes new certificates without a restart, for a rotation annotated
   * `opsflow.dev/rotate: in-place`: MySQL's (and MariaDB's) reload statement, ProxySQL's admin command.
   * Undefined: it cannot (Pgpool's reload did not swap the served certificate when tried), so pods restart.
   */
  tlsReload?: 'mysql' | 'proxysql';
  /** ProxySQL serves TLS only while this admin variable says so: true with TLS, false without. */
  tlsAdminSwitch?: { table: 'mysqlVariables'; variable: string };
  /**
   * The Secret the provisioner renders the server's configuration into, where TLS has keys in it (Pgpool's
   * pgpool.conf), and where the pods mount it.
   */
  renderedConfig?: { secretName: (db: string) => string; volume: string; mountPath: string };
  /**
   * Where a custom configuration (Reconfigure) goes: MySQL and PerconaXtraDB mount its Secret where the server
   * reads option files; Pgpool renders its pgpool.conf into `renderedConfig`. `field`: where an object that
   * names none yet is given one, as the kind's KubeDB guides write it.
   */
  customConfig?: { format: 'cnf'; volume: string; mountPath: string; field: 'configSecret' } | { format: 'pgpool'; field: 'configuration' };
  /** Server arguments added when TLS is on (`requireSSL` adds `requireSSLArgs`). */
  tlsArgs: string[];
  requireSSLArgs: string[];
  /** `primary-last`: standbys by ordinal, then the pod labelled primary; `ordinal`: by ordinal. */
  restartOrder: 'primary-last' | 'ordinal';
  /**
   * Pods carry `kubedb.com/role=primary|standby` (set by the database's in-pod coordinator); the `<db>` Service
   * selects the primary and a `<db>-standby` Service the standbys.
   */
  primaryStandby: boolean;
  defaultReplicas: (spec: { topology?: { mode?: string } }) => number;
}

/** A Secret's three files under their own names. */
const tlsFiles = (alias: string): ProjectedFile[] => [
  { alias, key: 'ca.crt', path: 'ca.crt' },
  { alias, key: 'tls.crt', path: 'tls.crt' },
  { alias, key: 'tls.key', path: 'tls.key' },
];

const one = () => 1;
const server = (commonName: CertificateDefaults['commonName']): CertificateDefaults => ({
  commonName,
  serviceDNSNames: true,
});
const client = (commonName: string, organizations?: string[]): CertificateDefaults => ({
  commonName: () => commonName,
  organizations,
  organizationalUnits: organizations ? ['client'] : undefined,
  serviceDNSNames: false,
});

export const profiles: Record<DatabaseKind, DatabaseProfile> = {
  MySQL: {
    kind: 'MySQL',
    group: 'kubedb.com',
    version: 'v1',
    plural: 'mysqls',
    opsRequest: { kind: 'MySQLOpsRequest', plural: 'mysqlopsrequests', targetField: 'databaseRef' },
    certificates: {
      server: server((db) => db),
      client: client('root', ['mysql']),
      'metrics-exporter': client('mysql-exporter', ['mysql']),
    },
    certificateComponent: 'database',
    tlsSwitches: ['requireSSL'],
    tlsMounts: [
      {
        volume: 'tls-volume',
        mountPath: '/etc/mysql/certs',
        files: [
          { alias: 'server', key: 'ca.crt', path: 'ca.crt' },
          { alias: 'server', key: 'tls.crt', path: 'server.crt' },
          { alias: 'server', key: 'tls.key', path: 'server.key' },
          { alias: 'client', key: 'tls.crt', path: 'client.crt' },
          { alias: 'client', key: 'tls.key', path: 'client.key' },
        ],
      },
    ],
    container: { name: 'mysql', port: 3306, protocol: 'mysql' },
    customConfig: { format: 'cnf', volume: 'custom-config', mountPath: '/etc/mysql/conf.d', field: 'configSecret' },
    tlsReload: 'mysql',
    tlsArgs: [
      '--ssl-capath=/etc/mysql/certs',
      '--ssl-ca=/etc/mysql/certs/ca.crt',
      '--ssl-cert=/etc/mysql/certs/server.crt',
      '--ssl-key=/etc/mysql/certs/server.key',
    ],
    requireSSLArgs: ['--require-secure-transport=ON'],
    restartOrder: 'primary-last',
    primaryStandby: true,
    defaultReplicas: (spec) =>
      ['GroupReplication', 'InnoDBCluster', 'SemiSync'].includes(spec.topology?.mode ?? '') ? 3 : 1,
  },
  PerconaXtraDB: {
    kind: 'PerconaXtraDB',
    group: 'kubedb.com',
    version: 'v1',
    plural: 'perconaxtradbs',
    opsRequest: { kind: 'PerconaXtraDBOpsRequest', plural: 'perconaxtradbopsrequests', targetField: 'databaseRef' },
    certificates: {
      server: server((db, ns) => `${db}.${ns}.svc`),
      client: client('root', ['perconaxtradb']),
      'metrics-exporter': client('perconaxtradb-exporter', ['perconaxtradb']),
    },
    certificateComponent: 'database',
    tlsSwitches: ['requireSSL'],
    tlsMounts: [
      { volume: 'tls-server-config', mountPath: '/etc/mysql/certs/server', files: tlsFiles('server') },
      { volume: 'tls-client-config', mountPath: '/etc/mysql/certs/client', files: tlsFiles('client') },
    ],
    container: { name: 'perconaxtradb', port: 3306, protocol: 'mysql' },
    // KubeDB's PerconaXtraDBClusterCustomConfigMountPath; its image's my.cnf includes the folder.
    customConfig: { format: 'cnf', volume: 'custom-config', mountPath: '/etc/mysql/custom.conf.d', field: 'configSecret' },
    tlsReload: 'mysql',
    // As KubeDB's MariaDB (same layout; Galera's socket.ssl_* provider options left out: no Galera runs here).
    tlsArgs: [
      '--ssl-capath=/etc/mysql/certs/server',
      '--ssl-ca=/etc/mysql/certs/server/ca.crt',
      '--ssl-cert=/etc/mysql/certs/server/tls.crt',
      '--ssl-key=/etc/mysql/certs/server/tls.key',
    ],
    requireSSLArgs: ['--require-secure-transport=ON'],
    restartOrder: 'ordinal',
    primaryStandby: false,
    defaultReplicas: one,
  },
  ProxySQL: {
    kind: 'ProxySQL',
    group: 'kubedb.com',
    version: 'v1',
    plural: 'proxysqls',
    opsRequest: { kind: 'ProxySQLOpsRequest', plural: 'proxysqlopsrequests', targetField: 'proxyRef' },
    certificates: {
      server: server((db) => db),
      client: client('proxysql', ['proxysql']),
    },
    certificateComponent: 'database',
    tlsSwitches: [],
    tlsMounts: [
      { volume: 'tls-server-config', mountPath: '/var/lib/frontend/server', files: tlsFiles('server') },
      { volume: 'tls-client-config', mountPath: '/var/lib/frontend/client', files: tlsFiles('client') },
    ],
    container: { name: 'proxysql', port: 6033, protocol: 'mysql' },
    tlsReload: 'proxysql',
    tlsAdminSwitch: { table: 'mysqlVariables', variable: 'have_ssl' },
    tlsArgs: [],
    requireSSLArgs: [],
    restartOrder: 'ordinal',
    primaryStandby: false,
    defaultReplicas: one,
  },
  Pgpool: {
    kind: 'Pgpool',
    group: 'kubedb.com',
    version: 'v1alpha2',
    plural: 'pgpools',
    opsRequest: { kind: 'PgpoolOpsRequest', plural: 'pgpoolopsrequests', targetField: 'databaseRef' },
    certificates: {
      server: server((db) => db),
      // KubeDB's Pgpool TLS guide logs in as postgres with this certificate (clientAuthMode cert matches the CN).
      client: client('postgres', ['pgpool']),
    },
    certificateComponent: 'connection-pooler',
    tlsSwitches: ['sslMode', 'clientAuthMode'],
    // Where pgpool.conf's ssl_* keys point (its reconfigure-TLS guide), the CA named ca.pem.
    tlsMounts: [
      {
        volume: 'certs',
        mountPath: '/opt/pgpool-II/tls',
        files: [
          { alias: 'server', key: 'ca.crt', path: 'ca.pem' },
          { alias: 'server', key: 'tls.crt', path: 'tls.crt' },
          { alias: 'server', key: 'tls.key', path: 'tls.key' },
        ],
      },
    ],
    renderedConfig: { secretName: (db) => `${db}-config`, volume: 'pgpool-config', mountPath: '/config' },
    container: { name: 'pgpool', port: 9999, protocol: 'postgres' },
    customConfig: { format: 'pgpool', field: 'configuration' },
    tlsArgs: [],
    requireSSLArgs: [],
    restartOrder: 'ordinal',
    primaryStandby: false,
    defaultReplicas: one,
  },
};

export const databaseKinds = Object.keys(profiles) as DatabaseKind[];

export function profileForOpsKind(kind: string): DatabaseProfile | undefined {
  return Object.values(profiles).find((p) => p.opsRequest.kind === kind);
}

export const databaseApiVersion = (p: DatabaseProfile) => `${p.group}/${p.version}`;

/** Pod labels KubeDB puts on a database's pods (and selects them by). */
export const podSelectorLabels = (p: DatabaseProfile, db: string): Record<string, string> => ({
  'app.kubernetes.io/instance': db,
  'app.kubernetes.io/managed-by': 'kubedb.com',
  'app.kubernetes.io/name': `${p.plural}.${p.group}`,
});

export const labelSelector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const roleLabel = 'kubedb.com/role';
