// What certificate a database server serves, read the way its clients read it: the protocol's own TLS upgrade
// (MySQL: the SSL request after the server's greeting; PostgreSQL and Pgpool: SSLRequest), then the TLS
// handshake. No credentials are needed, and none are sent: the probe stops once it has the certificate.
import { X509Certificate } from 'node:crypto';
import { connect as connectTCP, type Socket } from 'node:net';
import { connect as connectTLS } from 'node:tls';

export type WireProtocol = 'mysql' | 'postgres';

export type Served = { tls: false; detail: string } | { tls: true; certificate: X509Certificate; chain: X509Certificate[] };

// MySQL capability flags (https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html).
const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
// PostgreSQL's SSLRequest code (https://www.postgresql.org/docs/current/protocol-message-formats.html).
const SSL_REQUEST_CODE = 80877103;

/** Resolves with the first `n` bytes the socket delivers (keeping the rest unread is not needed here). */
function read(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < n) return;
      cleanup();
      resolve(got);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`the server closed the connection after ${got.length} bytes`));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', reject);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', reject);
  });
}

/** The MySQL greeting's capability flags: lower 2 bytes after the NUL-terminated version and 13 bytes more. */
async function mysqlGreeting(socket: Socket): Promise<number> {
  const header = await read(socket, 4);
  const length = header.readUIntLE(0, 3);
  const packet = header.length >= 4 + length ? header : Buffer.concat([header, await read(socket, 4 + length - header.length)]);
  const payload = packet.subarray(4, 4 + length);
  // An ERR packet instead of a greeting: 0xff, a 2-byte code, the message.
  if (payload[0] === 0xff) throw new Error(`the server refused the connection: ${payload.subarray(3).toString('utf8')}`);
  // HandshakeV10: version byte, server version (NUL-terminated), thread id (4), auth data (8), filler (1),
  // capabilities' lower half (2), character set (1), status (2), capabilities' upper half (2), …
  const at = payload.indexOf(0, 1) + 1 + 4 + 8 + 1;
  const lower = payload.readUInt16LE(at);
  const upper = payload.length >= at + 7 ? payload.readUInt16LE(at + 5) : 0;
  return lower | (upper << 16);
}

function mysqlSSLRequest(): Buffer {
  const payload = Buffer.alloc(32);
  payload.writeUInt32LE(CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION, 0);
  payload.writeUInt32LE(16 * 1024 * 1024, 4);
  payload[8] = 45; // utf8mb4_general_ci
  const header = Buffer.from([32, 0, 0, 1]); // length 32, sequence id 1
  return Buffer.concat([header, payload]);
}

function postgresSSLRequest(): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(SSL_REQUEST_CODE, 4);
  return b;
}

/** Asks the server at host:port for TLS the way its protocol does, and reports what it serves. */
export async function probeTLS(host: string, port: number, protocol: WireProtocol, timeoutMs = 5000): Promise<Served> {
  const socket = connectTCP({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    if (protocol === 'mysql') {
      const capabilities = await mysqlGreeting(socket);
      if (!(capabilities & CLIENT_SSL)) return { tls: false, detail: 'the server does not offer TLS (no CLIENT_SSL in its greeting)' };
      socket.write(mysqlSSLRequest());
    } else {
      socket.write(postgresSSLRequest());
      const answer = (await read(socket, 1)).toString('latin1', 0, 1);
      if (answer === 'N') return { tls: false, detail: 'the server answered N to SSLRequest' };
      if (answer !== 'S') throw new Error(`unexpected answer to SSLRequest: ${JSON.stringify(answer)}`);
    }
    const tls = connectTLS({ socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
    const chain: X509Certificate[] = [];
    let cert = tls.getPeerCertificate(true);
    for (const seen = new Set<string>(); cert?.raw && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
      seen.add(cert.fingerprint256);
      chain.push(new X509Certificate(cert.raw));
    }
    tls.destroy();
    if (!chain.length) throw new Error('the TLS handshake completed without a server certificate');
    return { tls: true, certificate: chain[0], chain: chain.slice(1) };
  } finally {
    socket.destroy();
  }
}
