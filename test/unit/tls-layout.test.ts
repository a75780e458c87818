import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Container, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { hasTLSLayout, tlsLayout, tlsSecretNames, withTLS } from '../../model/tls-layout.ts';
import type { Database } from '../../model/types.ts';

const issuerRef = { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'ca' };
const containerName: Record<DatabaseKind, string> = { MySQL: 'mysql', PerconaXtraDB: 'perconaxtradb', ProxySQL: 'proxysql', Pgpool: 'pgpool' };

const db = (kind: DatabaseKind, spec: Database['spec'] = {}): Database => ({
  apiVersion: 'kubedb.com/v1',
  kind,
  metadata: { name: 'my-db', namespace: 'demo', uid: 'uid-1' },
  spec: { version: '1', ...spec },
});

/** A pod template as the workload has it before TLS: a data volume and mount, an own arg, a sidecar. */
const bare = (kind: DatabaseKind): V1PodTemplateSpec => ({
  metadata: { labels: { 'app.kubernetes.io/instance': 'my-db' } },
  spec: {
    nodeName: 'n',
    volumes: [{ name: 'data', emptyDir: {} }],
    containers: [
      {
        name: containerName[kind],
        image: 'kubedb/x:1',
        imagePullPolicy: 'IfNotPresent',
        args: ['--user=mysql'],
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/data' }],
        ports: [{ name: 'db', containerPort: 3306 }],
      },
      { name: 'exporter', image: 'exporter:1', args: ['--ssl-ca=/etc/mysql/certs/ca.crt'], volumeMounts: [{ name: 'data', mountPath: '/d' }] },
    ],
  },
});

const on = (kind: DatabaseKind, spec: Database['spec'] = {}) => tlsLayout(profiles[kind], db(kind, { tls: { issuerRef }, ...spec }));
const off = (kind: DatabaseKind) => tlsLayout(profiles[kind], db(kind));
const main = (t: V1PodTemplateSpec) => t.spec!.containers[0]!;

const secret = (name: string, items: [string, string][]) => ({ secret: { name, items: items.map(([key, path]) => ({ key, path })) } });
const three: [string, string][] = [['ca.crt', 'ca.crt'], ['tls.crt', 'tls.crt'], ['tls.key', 'tls.key']];
const data: V1Volume = { name: 'data', emptyDir: {} };
const dataMount: V1VolumeMount = { name: 'data', mountPath: '/var/lib/data' };

interface Want {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
  args: string[];
}

const mysqlArgs = ['--ssl-capath=/etc/mysql/certs', '--ssl-ca=/etc/mysql/certs/ca.crt', '--ssl-cert=/etc/mysql/certs/server.crt', '--ssl-key=/etc/mysql/certs/server.key'];
const pxcArgs = ['--ssl-capath=/etc/mysql/certs/server', '--ssl-ca=/etc/mysql/certs/server/ca.crt', '--ssl-cert=/etc/mysql/certs/server/tls.crt', '--ssl-key=/etc/mysql/certs/server/tls.key'];
const mysqlVolume = (server = 'my-db-server-cert', client = 'my-db-client-cert'): V1Volume => ({
  name: 'tls-volume',
  projected: {
    sources: [
      secret(server, [['ca.crt', 'ca.crt'], ['tls.crt', 'server.crt'], ['tls.key', 'server.key']]),
      secret(client, [['tls.crt', 'client.crt'], ['tls.key', 'client.key']]),
    ],
  },
});
const pairVolumes = (server = 'my-db-server-cert', client = 'my-db-client-cert'): V1Volume[] => [
  { name: 'tls-server-config', projected: { sources: [secret(server, three)] } },
  { name: 'tls-client-config', projected: { sources: [secret(client, three)] } },
];
const pgpoolVolume = (server = 'my-db-server-cert'): V1Volume => ({
  name: 'certs',
  projected: { sources: [secret(server, [['ca.crt', 'ca.pem'], ['tls.crt', 'tls.crt'], ['tls.key', 'tls.key']])] },
});
const ro = (name: string, mountPath: string): V1VolumeMount => ({ name, mountPath, readOnly: true });

describe("withTLS: KubeDB's layout per kind", () => {
  const cases: [string, DatabaseKind, Database['spec'], Want][] = [
    ['MySQL', 'MySQL', {}, { volumes: [data, mysqlVolume()], mounts: [dataMount, ro('tls-volume', '/etc/mysql/certs')], args: ['--user=mysql', ...mysqlArgs] }],
    ['MySQL with requireSSL', 'MySQL', { requireSSL: true }, { volumes: [data, mysqlVolume()], mounts: [dataMount, ro('tls-volume', '/etc/mysql/certs')], args: ['--user=mysql', ...mysqlArgs, '--require-secure-transport=ON'] }],
    ['MySQL with requireSSL false', 'MySQL', { requireSSL: false }, { volumes: [data, mysqlVolume()], mounts: [dataMount, ro('tls-volume', '/etc/mysql/certs')], args: ['--user=mysql', ...mysqlArgs] }],
    [
      'PerconaXtraDB',
      'PerconaXtraDB',
      {},
      { volumes: [data, ...pairVolumes()], mounts: [dataMount, ro('tls-server-config', '/etc/mysql/certs/server'), ro('tls-client-config', '/etc/mysql/certs/client')], args: ['--user=mysql', ...pxcArgs] },
    ],
    [
      'PerconaXtraDB with requireSSL',
      'PerconaXtraDB',
      { requireSSL: true },
      {
        volumes: [data, ...pairVolumes()],
        mounts: [dataMount, ro('tls-server-config', '/etc/mysql/certs/server'), ro('tls-client-config', '/etc/mysql/certs/client')],
        args: ['--user=mysql', ...pxcArgs, '--require-secure-transport=ON'],
      },
    ],
    [
      'ProxySQL: no args',
      'ProxySQL',
      {},
      { volumes: [data, ...pairVolumes()], mounts: [dataMount, ro('tls-server-config', '/var/lib/frontend/server'), ro('tls-client-config', '/var/lib/frontend/client')], args: ['--user=mysql'] },
    ],
    ['Pgpool: server certificate only, CA as ca.pem, no args', 'Pgpool', {}, { volumes: [data, pgpoolVolume()], mounts: [dataMount, ro('certs', '/opt/pgpool-II/tls')], args: ['--user=mysql'] }],
    [
      "MySQL: a user's secretName is the Secret projected",
      'MySQL',
      { tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'mine' }] } },
      { volumes: [data, mysqlVolume('mine')], mounts: [dataMount, ro('tls-volume', '/etc/mysql/certs')], args: ['--user=mysql', ...mysqlArgs] },
    ],
    [
      "PerconaXtraDB: a user's client secretName",
      'PerconaXtraDB',
      { tls: { issuerRef, certificates: [{ alias: 'client', secretName: 'my-client' }] } },
      { volumes: [data, ...pairVolumes('my-db-server-cert', 'my-client')], mounts: [dataMount, ro('tls-server-config', '/etc/mysql/certs/server'), ro('tls-client-config', '/etc/mysql/certs/client')], args: ['--user=mysql', ...pxcArgs] },
    ],
    [
      "Pgpool: a user's server secretName",
      'Pgpool',
      { tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'pool-tls' }] } },
      { volumes: [data, pgpoolVolume('pool-tls')], mounts: [dataMount, ro('certs', '/opt/pgpool-II/tls')], args: ['--user=mysql'] },
    ],
  ];
  for (const [name, kind, spec, want] of cases) {
    test(name, () => {
      const t = withTLS(profiles[kind], on(kind, spec), bare(kind));
      assert.deepEqual(t.spec!.volumes, want.volumes);
      assert.deepEqual(main(t).volumeMounts, want.mounts);
      assert.deepEqual(main(t).args, want.args);
    });
  }

  for (const kind of ['MySQL', 'PerconaXtraDB', 'ProxySQL', 'Pgpool'] as const) {
    test(`${kind}: the rest of the template is kept`, () => {
      const t = withTLS(profiles[kind], on(kind, { requireSSL: true }), bare(kind));
      const { volumeMounts: _m, args: _a, ...rest } = main(t);
      const { volumeMounts: _bm, args: _ba, ...bareRest } = main(bare(kind));
      assert.deepEqual(rest, bareRest, 'image, imagePullPolicy, ports kept');
      assert.equal(rest.imagePullPolicy, 'IfNotPresent');
      assert.deepEqual(t.spec!.containers[1], bare(kind).spec!.containers[1], 'another container is not touched');
      assert.deepEqual(t.metadata, bare(kind).metadata);
      assert.equal(t.spec!.nodeName, 'n');
    });
  }

  test('a template without volumes, mounts or args gets just the TLS ones', () => {
    const t = withTLS(profiles.MySQL, on('MySQL'), { spec: { containers: [{ name: 'mysql', image: 'i' }] } });
    assert.deepEqual(t, {
      spec: {
        volumes: [mysqlVolume()],
        containers: [{ name: 'mysql', image: 'i', volumeMounts: [ro('tls-volume', '/etc/mysql/certs')], args: mysqlArgs }],
      },
    });
  });

  test('the input template is not changed', () => {
    const input = bare('MySQL');
    withTLS(profiles.MySQL, on('MySQL', { requireSSL: true }), input);
    assert.deepEqual(input, bare('MySQL'));
  });
});

describe('withTLS: removal', () => {
  for (const kind of ['MySQL', 'PerconaXtraDB', 'ProxySQL', 'Pgpool'] as const) {
    test(`${kind}: drops exactly the TLS volumes, mounts and args`, () => {
      const p = profiles[kind];
      const withIt = withTLS(p, on(kind, { requireSSL: true }), bare(kind));
      assert.deepEqual(withTLS(p, off(kind), withIt), bare(kind));
    });
    test(`${kind}: also from a template read back with the API server's defaults`, () => {
      const p = profiles[kind];
      const stored = structuredClone(withTLS(p, on(kind, { requireSSL: true }), bare(kind)));
      for (const v of stored.spec!.volumes!) if (v.projected) v.projected.defaultMode = 420;
      const removed = withTLS(p, off(kind), stored);
      assert.deepEqual(removed.spec!.volumes, [data]);
      assert.deepEqual(main(removed).volumeMounts, [dataMount]);
      assert.deepEqual(main(removed).args, ['--user=mysql']);
    });
  }

  test('MySQL: TLS only was there: no empty volumes, mounts or args are left', () => {
    const p = profiles.MySQL;
    const plain: V1PodTemplateSpec = { spec: { containers: [{ name: 'mysql', image: 'i' }] } };
    assert.deepEqual(withTLS(p, off('MySQL'), withTLS(p, on('MySQL', { requireSSL: true }), plain)), plain);
  });

  test('MySQL: requireSSL turned off keeps TLS and drops only --require-secure-transport=ON', () => {
    const p = profiles.MySQL;
    const t = withTLS(p, on('MySQL'), withTLS(p, on('MySQL', { requireSSL: true }), bare('MySQL')));
    assert.deepEqual(main(t).args, ['--user=mysql', ...mysqlArgs]);
    assert.deepEqual(t.spec!.volumes, [data, mysqlVolume()]);
  });

  test('MySQL: a changed secretName replaces the Secret, no second volume', () => {
    const p = profiles.MySQL;
    const t = withTLS(p, on('MySQL', { tls: { issuerRef, certificates: [{ alias: 'client', secretName: 'c2' }] } }), withTLS(p, on('MySQL'), bare('MySQL')));
    assert.deepEqual(t.spec!.volumes, [data, mysqlVolume('my-db-server-cert', 'c2')]);
    assert.deepEqual(main(t).volumeMounts, [dataMount, ro('tls-volume', '/etc/mysql/certs')]);
  });

  test('applying the same layout twice changes nothing', () => {
    for (const kind of ['MySQL', 'PerconaXtraDB', 'ProxySQL', 'Pgpool'] as const) {
      const once = withTLS(profiles[kind], on(kind, { requireSSL: true }), bare(kind));
      assert.deepEqual(withTLS(profiles[kind], on(kind, { requireSSL: true }), once), once, kind);
    }
  });
});

describe('tlsLayout', () => {
  const cases: [string, DatabaseKind, Database['spec'], ReturnType<typeof tlsLayout>][] = [
    ['MySQL off', 'MySQL', {}, { enabled: false, secrets: {}, requireSSL: false }],
    ['MySQL off keeps requireSSL false', 'MySQL', { requireSSL: true }, { enabled: false, secrets: {}, requireSSL: false }],
    ['tls without issuerRef is off', 'MySQL', { tls: { certificates: [{ alias: 'server' }] } }, { enabled: false, secrets: {}, requireSSL: false }],
    ['MySQL on', 'MySQL', { tls: { issuerRef }, requireSSL: true }, { enabled: true, secrets: { server: 'my-db-server-cert', client: 'my-db-client-cert' }, requireSSL: true }],
    ['ProxySQL on', 'ProxySQL', { tls: { issuerRef } }, { enabled: true, secrets: { server: 'my-db-server-cert', client: 'my-db-client-cert' }, requireSSL: false }],
    ['Pgpool on, clientAuthMode md5 by default', 'Pgpool', { tls: { issuerRef } }, { enabled: true, secrets: { server: 'my-db-server-cert' }, requireSSL: false, clientAuthMode: 'md5' }],
    ['Pgpool off with clientAuthMode scram', 'Pgpool', { clientAuthMode: 'scram' }, { enabled: false, secrets: {}, requireSSL: false, clientAuthMode: 'scram' }],
  ];
  for (const [name, kind, spec, want] of cases) test(name, () => assert.deepEqual(tlsLayout(profiles[kind], db(kind, spec)), want));
});

describe('hasTLSLayout', () => {
  const stored = (t: V1PodTemplateSpec): V1PodTemplateSpec => {
    const s = structuredClone(t);
    s.spec!.restartPolicy = 'Always';
    for (const v of s.spec!.volumes ?? []) if (v.projected) v.projected.defaultMode = 420;
    for (const c of s.spec!.containers as V1Container[]) c.terminationMessagePath = '/dev/termination-log';
    return s;
  };
  for (const kind of ['MySQL', 'PerconaXtraDB', 'ProxySQL', 'Pgpool'] as const) {
    const p = profiles[kind];
    test(`${kind}: true when the template has it`, () => assert.equal(hasTLSLayout(p, on(kind), withTLS(p, on(kind), bare(kind))), true));
    test(`${kind}: true after the API server's defaults`, () => assert.equal(hasTLSLayout(p, on(kind), stored(withTLS(p, on(kind), bare(kind)))), true));
    test(`${kind}: false when TLS is to be added`, () => assert.equal(hasTLSLayout(p, on(kind), bare(kind)), false));
    test(`${kind}: false when TLS is to be removed`, () => assert.equal(hasTLSLayout(p, off(kind), stored(withTLS(p, on(kind), bare(kind)))), false));
    test(`${kind}: true without TLS on a bare template`, () => assert.equal(hasTLSLayout(p, off(kind), bare(kind)), true));
    test(`${kind}: false when a Secret differs`, () => {
      const other = on(kind, { tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'other' }] } });
      assert.equal(hasTLSLayout(p, other, withTLS(p, on(kind), bare(kind))), false);
    });
  }
  test('MySQL: false when only requireSSL differs', () => {
    const p = profiles.MySQL;
    assert.equal(hasTLSLayout(p, on('MySQL', { requireSSL: true }), withTLS(p, on('MySQL'), bare('MySQL'))), false);
    assert.equal(hasTLSLayout(p, on('MySQL'), withTLS(p, on('MySQL', { requireSSL: true }), bare('MySQL'))), false);
  });
  test('MySQL: false when the TLS mount is missing from the container', () => {
    const p = profiles.MySQL;
    const t = withTLS(p, on('MySQL'), bare('MySQL'));
    main(t).volumeMounts = [dataMount];
    assert.equal(hasTLSLayout(p, on('MySQL'), t), false);
  });
  test('Pgpool: false when the TLS volume is mounted elsewhere (an older layout)', () => {
    const p = profiles.Pgpool;
    const t = withTLS(p, on('Pgpool'), bare('Pgpool'));
    main(t).volumeMounts = main(t).volumeMounts!.map((m) => (m.name === 'certs' ? { ...m, mountPath: '/config/tls' } : m));
    assert.equal(hasTLSLayout(p, on('Pgpool'), t), false);
    assert.deepEqual(main(withTLS(p, on('Pgpool'), t)).volumeMounts, [dataMount, ro('certs', '/opt/pgpool-II/tls')], 'and withTLS moves it');
  });
  test('MySQL: false when a projected file is missing', () => {
    const p = profiles.MySQL;
    const t = withTLS(p, on('MySQL'), bare('MySQL'));
    t.spec!.volumes![1]!.projected!.sources![1]!.secret!.items!.pop();
    assert.equal(hasTLSLayout(p, on('MySQL'), t), false);
  });
  test('false without a template', () => assert.equal(hasTLSLayout(profiles.MySQL, off('MySQL'), undefined), false));
});

describe('tlsSecretNames', () => {
  const cases: [string, DatabaseKind, Database['spec'], string[]][] = [
    ['off', 'MySQL', {}, []],
    ['MySQL: server and client', 'MySQL', { tls: { issuerRef } }, ['my-db-server-cert', 'my-db-client-cert']],
    ['PerconaXtraDB', 'PerconaXtraDB', { tls: { issuerRef } }, ['my-db-server-cert', 'my-db-client-cert']],
    ['ProxySQL', 'ProxySQL', { tls: { issuerRef } }, ['my-db-server-cert', 'my-db-client-cert']],
    ['Pgpool: the server certificate only', 'Pgpool', { tls: { issuerRef } }, ['my-db-server-cert']],
    ["a user's secretName", 'MySQL', { tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'mine' }] } }, ['mine', 'my-db-client-cert']],
    ['one Secret for both aliases: listed once', 'MySQL', { tls: { issuerRef, certificates: [{ alias: 'server', secretName: 'both' }, { alias: 'client', secretName: 'both' }] } }, ['both']],
  ];
  for (const [name, kind, spec, want] of cases) test(name, () => assert.deepEqual(tlsSecretNames(tlsLayout(profiles[kind], db(kind, spec))), want));
});
