// The ProxySQL stand-in as a process: how it refuses to start, how it stops, --bind-address and
// --frontend-certs, on 127.0.0.0/8 only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, describe, test } from 'node:test';
import mysql, { type Connection } from 'mysql2/promise';
import { freePort, isRunning, readGreeting, runStandIn, type Exited, type Running } from '../../tools/proxysql/harness.ts';

const root = mkdtempSync(join(tmpdir(), 'proxysql-process-'));
let n = 0;

/** A fresh datadir and a config file listening on free loopback ports. */
async function setup(extra = '', host = '127.0.0.1') {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  const adminPort = await freePort();
  const mysqlPort = await freePort();
  const config = join(dir, 'proxysql.cnf');
  writeFileSync(
    config,
    `datadir="${dir}"
     admin_variables = { admin_credentials="admin:admin"  mysql_ifaces="${host}:${adminPort}" }
     mysql_variables = { interfaces="${host}:${mysqlPort}" ${extra} }
     mysql_users = ( { username="app"  password="apppass" } )`,
  );
  return { dir, config, adminPort, mysqlPort };
}

async function exited(args: string[]): Promise<Exited> {
  const r = await runStandIn(args);
  if (isRunning(r)) {
    await r.stop();
    throw new Error('the stand-in started');
  }
  return r;
}

function certificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '1'], { stdio: 'ignore' });
  return { cert, key };
}

const peerCertificate = (conn: Connection) => (conn as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate();

describe('the stand-in process', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  test('exits 1 naming the reason when the config file is missing or does not parse', async () => {
    const { dir } = await setup();
    const missing = await exited(['-f', '-c', join(dir, 'nope.cnf')]);
    assert.equal(missing.code, 1);
    assert.match(missing.log, /cannot start: Cannot read config file .*nope\.cnf/);
    const broken = join(dir, 'broken.cnf');
    writeFileSync(broken, 'admin_variables = {\n  mysql_ifaces = "127.0.0.1:1"\n  refresh_interval 5\n}\n');
    const bad = await exited(['-f', '-c', broken, '-D', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.log, /Parse error in config file .*broken\.cnf: line 3: expected '=' or ':' after 'refresh_interval'/);
  });

  test('exits 1 when the datadir does not exist or -c is missing', async () => {
    const { config, dir } = await setup();
    const r = await exited(['-f', '-c', config, '-D', join(dir, 'absent')]);
    assert.equal(r.code, 1);
    assert.match(r.log, /Datadir .*absent does not exist/);
    assert.equal((await exited(['-f'])).code, 1);
  });

  test('exits 1 when a port is taken', async () => {
    const { config, adminPort } = await setup();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(adminPort, '127.0.0.1', resolve));
    try {
      const r = await exited(['-f', '-c', config]);
      assert.equal(r.code, 1);
      assert.match(r.log, new RegExp(`Unable to listen on 127\\.0\\.0\\.1:${adminPort} for the admin interface: .*EADDRINUSE`));
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  test('exits 1 when only some TLS files are present, or they do not load, whatever mysql-have_ssl says', async () => {
    const some = await setup('have_ssl=false');
    writeFileSync(join(some.dir, 'proxysql-key.pem'), 'x');
    const r = await exited(['-f', '-c', some.config]);
    assert.equal(r.code, 1);
    assert.match(r.log, /Only some SSL files are present\. Either all files are present, or none\..*proxysql-key\.pem : YES/);

    const bad = await setup('have_ssl=true');
    const pair = certificate(bad.dir, 'ok');
    writeFileSync(join(bad.dir, 'proxysql-key.pem'), readFileSync(pair.key));
    writeFileSync(join(bad.dir, 'proxysql-ca.pem'), readFileSync(pair.cert));
    writeFileSync(join(bad.dir, 'proxysql-cert.pem'), 'not a certificate');
    const r2 = await exited(['-f', '-c', bad.config]);
    assert.equal(r2.code, 1);
    assert.match(r2.log, /Error on PEM_read_bio_X509\(\) for .*proxysql-cert\.pem/);
  });

  test('SIGTERM closes the listeners and open sessions and exits 0 within a second', async () => {
    const { config, adminPort, mysqlPort } = await setup();
    const r = await runStandIn(['-f', '-c', config]);
    assert.ok(isRunning(r), 'started');
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: adminPort, user: 'admin', password: 'admin' });
    const app = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'app', password: 'apppass' });
    admin.on('error', () => {});
    app.on('error', () => {});
    const { code, ms } = await (r as Running).stop();
    assert.equal(code, 0);
    assert.ok(ms < 1000, `stopped in ${ms} ms`);
    await assert.rejects(readGreeting(adminPort), /ECONNREFUSED/);
    await assert.rejects(readGreeting(mysqlPort), /ECONNREFUSED/);
  });

  test('--bind-address takes the place of 0.0.0.0 in both interface lists', async () => {
    const { config, adminPort, mysqlPort } = await setup('', '0.0.0.0');
    const r = await runStandIn(['-f', '-c', config, '--bind-address', '127.0.0.2']);
    assert.ok(isRunning(r), 'started');
    try {
      assert.equal((await readGreeting(adminPort, '127.0.0.2')).serverVersion, '5.5.30');
      assert.equal((await readGreeting(mysqlPort, '127.0.0.2')).serverVersion, '5.5.30');
      await assert.rejects(readGreeting(adminPort, '127.0.0.1'), /ECONNREFUSED/);
      await assert.rejects(readGreeting(mysqlPort, '127.0.0.1'), /ECONNREFUSED/);
    } finally {
      await r.stop();
    }
  });

  test('--frontend-certs links the datadir files to the mounted Secret, so a refreshed Secret is what RELOAD TLS reads', async () => {
    const { dir, config, adminPort, mysqlPort } = await setup('have_ssl=true');
    const secret = join(dir, 'frontend-server');
    mkdirSync(secret);
    const install = (name: string) => {
      const pair = certificate(dir, name);
      // As the kubelet does: the new files appear at once.
      for (const [from, to] of [[pair.cert, 'ca.crt'], [pair.cert, 'tls.crt'], [pair.key, 'tls.key']] as const) {
        writeFileSync(join(secret, `.${to}`), readFileSync(from));
        renameSync(join(secret, `.${to}`), join(secret, to));
      }
    };
    install('first');
    const r = await runStandIn(['-f', '-c', config, '--frontend-certs', secret]);
    assert.ok(isRunning(r), 'started');
    try {
      for (const [file, target] of [['proxysql-ca.pem', 'ca.crt'], ['proxysql-cert.pem', 'tls.crt'], ['proxysql-key.pem', 'tls.key']]) {
        assert.ok(lstatSync(join(dir, file as string)).isSymbolicLink(), file);
        assert.equal(readlinkSync(join(dir, file as string)), join(secret, target as string));
      }
      const served = async () => {
        const c = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'app', password: 'apppass', ssl: { rejectUnauthorized: false } });
        const cert = peerCertificate(c);
        await c.end();
        return cert;
      };
      assert.equal((await served()).subject.CN, 'first');
      install('second');
      const admin = await mysql.createConnection({ host: '127.0.0.1', port: adminPort, user: 'admin', password: 'admin' });
      await admin.query('PROXYSQL RELOAD TLS');
      await admin.end();
      const now = await served();
      assert.equal(now.subject.CN, 'second');
      assert.equal(now.fingerprint256, new X509Certificate(readFileSync(join(secret, 'tls.crt'))).fingerprint256);
    } finally {
      await r.stop();
    }
  });

  test('started again without --frontend-certs once the mounted Secret is gone (TLS removed): the dangling links count as no files, and it generates its own', async () => {
    const { dir, config } = await setup('have_ssl=true');
    const secret = join(dir, 'frontend-server');
    mkdirSync(secret);
    const pair = certificate(dir, 'mounted');
    for (const [from, to] of [[pair.cert, 'ca.crt'], [pair.cert, 'tls.crt'], [pair.key, 'tls.key']] as const) writeFileSync(join(secret, to), readFileSync(from));
    const first = await runStandIn(['-f', '-c', config, '--frontend-certs', secret]);
    assert.ok(isRunning(first), 'started with the mounted certificates');
    await first.stop();
    rmSync(secret, { recursive: true });
    const again = await runStandIn(['-f', '-c', config]);
    assert.ok(isRunning(again), `started again: ${isRunning(again) ? '' : again.log}`);
    try {
      assert.match(again.log(), /No SSL keys\/certificates found in datadir/);
      assert.equal(lstatSync(join(dir, 'proxysql-cert.pem')).isSymbolicLink(), false, 'a file of its own replaced the link');
      assert.match(new X509Certificate(readFileSync(join(dir, 'proxysql-cert.pem'))).subject, /ProxySQL_Auto_Generated_Server_Certificate/);
    } finally {
      await again.stop();
    }
  });
});
