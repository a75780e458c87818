// The ProxySQL stand-in's MySQL frontend: logins against runtime mysql_users, TLS from the datadir's
// certificate files (use_ssl, mysql-have_ssl, PROXYSQL RELOAD TLS), and the few queries it answers,
// against the real program on 127.0.0.1 with mysql2's client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import mysql, { type Connection } from 'mysql2/promise';
import { freePort, isRunning, readGreeting, runStandIn, type Running } from '../../tools/proxysql/harness.ts';
import { nativePasswordHash } from '../../tools/proxysql/mysql-protocol.ts';

const CLIENT_SSL = 0x800;
const dir = mkdtempSync(join(tmpdir(), 'proxysql-frontend-'));
const datadir = join(dir, 'data');
let adminPort = 0;
let mysqlPort = 0;
let proxy: Running;
let admin: Connection;

const login = (user: string, password: string, tls = false) =>
  mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user, password, ...(tls ? { ssl: { rejectUnauthorized: false } } : {}) });
const peerCertificate = (conn: Connection) => (conn as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate();
const fingerprintOf = (pemFile: string) => new X509Certificate(readFileSync(pemFile)).fingerprint256;

async function denial(user: string, password: string, tls = false): Promise<{ errno?: number; sqlState?: string; code?: string; message: string }> {
  try {
    await (await login(user, password, tls)).end();
  } catch (err) {
    return err as { errno?: number; sqlState?: string; message: string };
  }
  throw new Error(`${user} was let in`);
}

/** A self-signed certificate and its key, made with openssl. */
function certificate(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '1'], { stdio: 'ignore' });
  return { cert, key };
}

function installTls(pair: { cert: string; key: string }): void {
  copyFileSync(pair.cert, join(datadir, 'proxysql-cert.pem'));
  copyFileSync(pair.key, join(datadir, 'proxysql-key.pem'));
  copyFileSync(pair.cert, join(datadir, 'proxysql-ca.pem'));
}

describe('MySQL frontend', () => {
  before(async () => {
    execFileSync('mkdir', ['-p', datadir]);
    adminPort = await freePort();
    mysqlPort = await freePort();
    const config = join(dir, 'proxysql.cnf');
    writeFileSync(
      config,
      `datadir="${datadir}"
       admin_variables = { admin_credentials="admin:admin"  mysql_ifaces="127.0.0.1:${adminPort}" }
       mysql_variables = { interfaces="127.0.0.1:${mysqlPort}"  server_version="8.0.35"  have_ssl=false }
       mysql_users = (
         { username="app"     password="apppass"  default_hostgroup=1 },
         { username="hashed"  password="${nativePasswordHash('hashedpass')}" },
         { username="secure"  password="securepass"  use_ssl=1 },
         { username="off"     password="offpass"  active=0 }
       )`,
    );
    const r = await runStandIn(['-f', '-c', config]);
    if (!isRunning(r)) throw new Error(r.log);
    proxy = r;
    admin = await mysql.createConnection({ host: '127.0.0.1', port: adminPort, user: 'admin', password: 'admin' });
  });
  after(async () => {
    await admin?.end();
    if (proxy) await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with mysql-have_ssl false the greeting has mysql-server_version and no CLIENT_SSL', async () => {
    const greeting = await readGreeting(mysqlPort);
    assert.equal(greeting.serverVersion, '8.0.35');
    assert.equal(greeting.capabilities & CLIENT_SSL, 0);
    const err = await denial('app', 'apppass', true);
    assert.equal(err.code, 'HANDSHAKE_NO_SSL_SUPPORT');
  });

  test('a user of runtime mysql_users logs in with a clear-text or a hashed password and gets answers', async () => {
    const app = await login('app', 'apppass');
    assert.deepEqual((await app.query('SELECT 1'))[0], [{ 1: '1' }]);
    assert.deepEqual((await app.query('SELECT @@version'))[0], [{ '@@version': '8.0.35' }]);
    assert.deepEqual((await app.query('SELECT current_user()'))[0], [{ 'current_user()': 'app@%' }]);
    await assert.rejects(app.query('SELECT * FROM orders'), /not routed to backend servers/);
    await app.ping();
    await app.end();
    await (await login('hashed', 'hashedpass')).end();
  });

  test("a wrong password, an unknown user and an inactive user get ProxySQL's Access denied", async () => {
    for (const [user, password] of [['app', 'wrong'], ['nobody', 'x'], ['off', 'offpass'], ['hashed', 'wrong']]) {
      const err = await denial(user as string, password as string);
      assert.equal(err.errno, 1045);
      assert.equal(err.sqlState, '28000');
      assert.equal(err.message, `ProxySQL Error: Access denied for user '${user}'@'127.0.0.1' (using password: YES)`);
    }
  });

  test('use_ssl=1 without TLS is refused with "SSL is required" (a wrong password is refused first)', async () => {
    const err = await denial('secure', 'securepass');
    assert.equal(err.errno, 1045);
    assert.equal(err.sqlState, '28000');
    assert.equal(err.message, "ProxySQL Error: Access denied for user 'secure' (using password: YES). SSL is required");
    assert.equal((await denial('secure', 'wrong')).message, "ProxySQL Error: Access denied for user 'secure'@'127.0.0.1' (using password: YES)");
  });

  test('users take effect at LOAD MYSQL USERS TO RUNTIME', async () => {
    await admin.query("INSERT INTO mysql_users (username, password) VALUES ('late', 'latepass')");
    await denial('late', 'latepass');
    await admin.query('LOAD MYSQL USERS TO RUNTIME');
    await (await login('late', 'latepass')).end();
    await admin.query("UPDATE mysql_users SET frontend=0 WHERE username='late'");
    await admin.query('LOAD MYSQL USERS TO RUNTIME');
    await denial('late', 'latepass');
  });

  test('with mysql-have_ssl true at runtime: CLIENT_SSL, TLS logins, and the certificate is the datadir\'s (generated at start)', async () => {
    await admin.query("SET mysql-have_ssl='true'");
    assert.equal((await readGreeting(mysqlPort)).capabilities & CLIENT_SSL, 0, 'not before LOAD');
    await admin.query('LOAD MYSQL VARIABLES TO RUNTIME');
    assert.equal((await readGreeting(mysqlPort)).capabilities & CLIENT_SSL, CLIENT_SSL);
    const secure = await login('secure', 'securepass', true);
    assert.deepEqual((await secure.query('SELECT 1'))[0], [{ 1: '1' }]);
    const served = peerCertificate(secure);
    assert.equal(served.fingerprint256, fingerprintOf(join(datadir, 'proxysql-cert.pem')));
    assert.equal(served.subject.CN, 'ProxySQL_Auto_Generated_Server_Certificate');
    assert.equal(served.issuer.CN, 'ProxySQL_Auto_Generated_CA_Certificate');
    await secure.end();
    await (await login('app', 'apppass', true)).end(); // TLS is offered to every user
    await (await login('app', 'apppass')).end(); // and required only of use_ssl ones
  });

  test('an SSLRequest that arrives together with the start of the TLS handshake still upgrades', async () => {
    const socket = tcpConnect({ host: '127.0.0.1', port: mysqlPort });
    await once(socket, 'data'); // the greeting
    const sslRequest = Buffer.alloc(36);
    sslRequest.writeUIntLE(32, 0, 3);
    sslRequest[3] = 1;
    sslRequest.writeUInt32LE(CLIENT_SSL | 0x200 | 0x8000, 4); // CLIENT_SSL | PROTOCOL_41 | SECURE_CONNECTION
    sslRequest.writeUInt32LE(1 << 24, 8);
    sslRequest[12] = 33;
    let first = true;
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        socket.write(first ? Buffer.concat([sslRequest, chunk]) : chunk, done); // one write: SSLRequest + ClientHello
        first = false;
      },
    });
    socket.on('data', (d: Buffer) => carrier.push(d));
    const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false });
    await once(tls, 'secureConnect');
    assert.equal(tls.getPeerCertificate().fingerprint256, fingerprintOf(join(datadir, 'proxysql-cert.pem')));
    tls.destroy();
    socket.destroy();
  });

  test('PROXYSQL RELOAD TLS serves the new files to new connections; open ones keep theirs', async () => {
    const before = await login('secure', 'securepass', true);
    const old = peerCertificate(before).fingerprint256;
    installTls(certificate('reloaded'));
    const stillOld = await login('secure', 'securepass', true);
    assert.equal(peerCertificate(stillOld).fingerprint256, old, 'not before the reload');
    await stillOld.end();
    await admin.query('PROXYSQL RELOAD TLS');
    const after = await login('secure', 'securepass', true);
    assert.equal(peerCertificate(after).fingerprint256, fingerprintOf(join(datadir, 'proxysql-cert.pem')));
    assert.equal(peerCertificate(after).subject.CN, 'reloaded');
    assert.deepEqual((await before.query('SELECT 1'))[0], [{ 1: '1' }]);
    await before.end();
    await after.end();
  });

  test('a PROXYSQL RELOAD TLS that fails returns the error and keeps the loaded certificate', async () => {
    const served = async () => {
      const c = await login('secure', 'securepass', true);
      const fp = peerCertificate(c).fingerprint256;
      await c.end();
      return fp;
    };
    const current = await served();
    rmSync(join(datadir, 'proxysql-ca.pem'));
    await assert.rejects(admin.query('PROXYSQL RELOAD TLS'), (err: { errno: number; message: string }) => {
      assert.equal(err.errno, 1045);
      assert.equal(err.message, 'ProxySQL Admin Error: RELOAD TLS failed: 2 TLS files are present. Expected: 3');
      return true;
    });
    const other = certificate('other');
    installTls(certificate('mismatch'));
    copyFileSync(other.key, join(datadir, 'proxysql-key.pem'));
    await assert.rejects(admin.query('PROXYSQL RELOAD TLS'), /ProxySQL Admin Error: Private key does not match the public certificate/);
    assert.equal(await served(), current);
  });
});
