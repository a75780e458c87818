// What the reconfigure-TLS walkthroughs expect of each kind, written out literally from KubeDB's guides and API
// (never computed with opsflow's own model, which is what they check): the example files, the names, and
// the TLS layout of a pod.
import type { Res } from './cluster.ts';

export interface Mount {
  volume: string;
  mountPath: string;
  /** `<secret>:<key>:<path>` for every projected item. */
  items: string[];
}

export interface TLSKind {
  kind: 'MySQL' | 'PerconaXtraDB' | 'ProxySQL' | 'Pgpool';
  dir: string;
  db: string;
  container: string;
  /** The port clients use. */
  port: number;
  database: Res;
  opsRequest: Res;
  ops: { add: string; rotate: string; update: string; changeIssuer: string; remove: string };
  issuers: { first: { name: string; caSecret: string }; second: { name: string; caSecret: string } };
  aliases: string[];
  /** The Secret names of the certificates, alias → name (KubeDB's `<db>-<alias>-cert`). */
  secrets: Record<string, string>;
  mounts: Mount[];
  args: string[];
  requireSSLArgs: string[];
  primaryLast: boolean;
  /** Pgpool: the rendered configuration Secret and the pgpool.conf lines TLS brings. */
  renderedConfig?: { secret: string; tlsOn: string[]; tlsOff: string[] };
}

const kubedb = (plural: string, kind: string, version = 'v1'): Res => ({ group: 'kubedb.com', version, plural, kind });
const ops = (plural: string, kind: string): Res => ({ group: 'ops.kubedb.com', version: 'v1alpha1', plural, kind });
const threeFiles = (secret: string) => [`${secret}:ca.crt:ca.crt`, `${secret}:tls.crt:tls.crt`, `${secret}:tls.key:tls.key`];

export const tlsKinds: TLSKind[] = [
  {
    kind: 'MySQL',
    dir: 'mysql',
    db: 'mysql',
    container: 'mysql',
    port: 3306,
    database: kubedb('mysqls', 'MySQL'),
    opsRequest: ops('mysqlopsrequests', 'MySQLOpsRequest'),
    ops: { add: 'myops-add-tls', rotate: 'myops-rotate', update: 'myops-update-tls', changeIssuer: 'myops-change-issuer', remove: 'myops-remove' },
    issuers: { first: { name: 'my-issuer', caSecret: 'my-ca' }, second: { name: 'my-new-issuer', caSecret: 'mysql-new-ca' } },
    aliases: ['server', 'client', 'metrics-exporter'],
    secrets: { server: 'mysql-server-cert', client: 'mysql-client-cert', 'metrics-exporter': 'mysql-metrics-exporter-cert' },
    mounts: [
      {
        volume: 'tls-volume',
        mountPath: '/etc/mysql/certs',
        items: ['mysql-server-cert:ca.crt:ca.crt', 'mysql-server-cert:tls.crt:server.crt', 'mysql-server-cert:tls.key:server.key', 'mysql-client-cert:tls.crt:client.crt', 'mysql-client-cert:tls.key:client.key'],
      },
    ],
    args: ['--ssl-capath=/etc/mysql/certs', '--ssl-ca=/etc/mysql/certs/ca.crt', '--ssl-cert=/etc/mysql/certs/server.crt', '--ssl-key=/etc/mysql/certs/server.key'],
    requireSSLArgs: ['--require-secure-transport=ON'],
    primaryLast: true,
  },
  {
    kind: 'PerconaXtraDB',
    dir: 'perconaxtradb',
    db: 'sample-pxc',
    container: 'perconaxtradb',
    port: 3306,
    database: kubedb('perconaxtradbs', 'PerconaXtraDB'),
    opsRequest: ops('perconaxtradbopsrequests', 'PerconaXtraDBOpsRequest'),
    ops: { add: 'pxops-add-tls', rotate: 'pxops-rotate-tls', update: 'pxops-update-tls', changeIssuer: 'pxops-change-issuer', remove: 'pxops-remove-tls' },
    issuers: { first: { name: 'px-issuer', caSecret: 'px-ca' }, second: { name: 'px-new-issuer', caSecret: 'px-new-ca' } },
    aliases: ['server', 'client', 'metrics-exporter'],
    secrets: { server: 'sample-pxc-server-cert', client: 'sample-pxc-client-cert', 'metrics-exporter': 'sample-pxc-metrics-exporter-cert' },
    mounts: [
      { volume: 'tls-server-config', mountPath: '/etc/mysql/certs/server', items: threeFiles('sample-pxc-server-cert') },
      { volume: 'tls-client-config', mountPath: '/etc/mysql/certs/client', items: threeFiles('sample-pxc-client-cert') },
    ],
    args: ['--ssl-capath=/etc/mysql/certs/server', '--ssl-ca=/etc/mysql/certs/server/ca.crt', '--ssl-cert=/etc/mysql/certs/server/tls.crt', '--ssl-key=/etc/mysql/certs/server/tls.key'],
    requireSSLArgs: ['--require-secure-transport=ON'],
    primaryLast: false,
  },
  {
    kind: 'ProxySQL',
    dir: 'proxysql',
    db: 'proxy-server',
    container: 'proxysql',
    port: 6033,
    database: kubedb('proxysqls', 'ProxySQL'),
    opsRequest: ops('proxysqlopsrequests', 'ProxySQLOpsRequest'),
    ops: { add: 'recon-tls-add', rotate: 'recon-tls-rotate', update: 'recon-tls-update', changeIssuer: 'recon-tls-change-issuer', remove: 'recon-tls-remove' },
    issuers: { first: { name: 'proxy-issuer', caSecret: 'proxy-ca' }, second: { name: 'proxy-new-issuer', caSecret: 'proxy-new-ca' } },
    aliases: ['server', 'client'],
    secrets: { server: 'proxy-server-server-cert', client: 'proxy-server-client-cert' },
    mounts: [
      { volume: 'tls-server-config', mountPath: '/var/lib/frontend/server', items: threeFiles('proxy-server-server-cert') },
      { volume: 'tls-client-config', mountPath: '/var/lib/frontend/client', items: threeFiles('proxy-server-client-cert') },
    ],
    args: [],
    requireSSLArgs: [],
    primaryLast: false,
  },
  {
    kind: 'Pgpool',
    dir: 'pgpool',
    db: 'pgpool',
    container: 'pgpool',
    port: 9999,
    database: kubedb('pgpools', 'Pgpool', 'v1alpha2'),
    opsRequest: ops('pgpoolopsrequests', 'PgpoolOpsRequest'),
    ops: { add: 'ppops-add-tls', rotate: 'ppops-rotate', update: 'ppops-update-tls', changeIssuer: 'ppops-change-issuer', remove: 'ppops-remove' },
    issuers: { first: { name: 'pgpool-issuer', caSecret: 'pgpool-ca' }, second: { name: 'pp-new-issuer', caSecret: 'pgpool-new-ca' } },
    aliases: ['server', 'client'],
    secrets: { server: 'pgpool-server-cert', client: 'pgpool-client-cert' },
    mounts: [{ volume: 'certs', mountPath: '/opt/pgpool-II/tls', items: ['pgpool-server-cert:ca.crt:ca.pem', 'pgpool-server-cert:tls.crt:tls.crt', 'pgpool-server-cert:tls.key:tls.key'] }],
    args: [],
    requireSSLArgs: [],
    primaryLast: false,
    renderedConfig: {
      secret: 'pgpool-config',
      tlsOn: ['ssl = on', "ssl_cert = '/opt/pgpool-II/tls/tls.crt'", "ssl_key = '/opt/pgpool-II/tls/tls.key'", "ssl_ca_cert = '/opt/pgpool-II/tls/ca.pem'"],
      tlsOff: ["ssl = 'off'"],
    },
  },
];
