// The few pieces of the MySQL client/server protocol that mysql2's server side lacks, written from the
// protocol documentation (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html):
//   - capability flags (page_protocol_basic_capabilities / group__group__cs__capabilities__flags);
//   - recognising an SSLRequest (page_protocol_connection_phase_packets_protocol_ssl_request.html): a
//     32-byte payload carrying CLIENT_SSL, sent instead of the HandshakeResponse when the client wants TLS;
//   - an ERR_Packet with its SQL state (page_protocol_basic_err_packet.html); mysql2 writes "#_____";
//   - an OK_Packet with a message (page_protocol_basic_ok_packet.html); mysql2's OK has no room for one;
//   - checking a mysql_native_password scramble (page_protocol_connection_phase_authentication_methods_
//     native_password_authentication.html) against a clear-text password or the stored
//     "*"+HEX(SHA1(SHA1(password))) form that ProxySQL's mysql_users accepts too.
import { createHash, timingSafeEqual } from 'node:crypto';

export const CLIENT = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  SSL: 0x800,
  IGNORE_SIGPIPE: 0x1000,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  PLUGIN_AUTH: 0x80000,
} as const;

/** ProxySQL's mysql-server_capabilities default (CLIENT_MYSQL | FOUND_ROWS | PROTOCOL_41 | IGNORE_SIGPIPE |
 * TRANSACTIONS | SECURE_CONNECTION | CONNECT_WITH_DB | PLUGIN_AUTH), without compression and without
 * CLIENT_DEPRECATE_EOF, which the stand-in does not speak; CLIENT_SSL is added when TLS is offered. */
export const serverCapabilities =
  CLIENT.LONG_PASSWORD | CLIENT.FOUND_ROWS | CLIENT.PROTOCOL_41 | CLIENT.IGNORE_SIGPIPE | CLIENT.TRANSACTIONS | CLIENT.SECURE_CONNECTION | CLIENT.CONNECT_WITH_DB | CLIENT.PLUGIN_AUTH;

export const SERVER_STATUS_AUTOCOMMIT = 0x2;
/** utf8_general_ci, the collation ProxySQL announces by default (mysql-default_charset 33). */
export const CHARSET_UTF8_GENERAL_CI = 33;

/** The length of the first packet in `buffer` (header included), or undefined while it is incomplete. */
export function firstPacketLength(buffer: Buffer): number | undefined {
  if (buffer.length < 4) return undefined;
  const length = 4 + buffer.readUIntLE(0, 3);
  return buffer.length >= length ? length : undefined;
}

/** Whether a whole packet (header included) is an SSLRequest. */
export function isSslRequest(packet: Buffer): boolean {
  return packet.length === 4 + 32 && (packet.readUInt32LE(4) & CLIENT.SSL) !== 0;
}

/** An ERR_Packet payload: 0xff, error code, '#', SQL state, message. */
export function errPayload(code: number, sqlState: string, message: string): Buffer {
  const head = Buffer.alloc(3);
  head[0] = 0xff;
  head.writeUInt16LE(code, 1);
  return Buffer.concat([head, Buffer.from(`#${sqlState}`, 'ascii'), Buffer.from(message, 'utf8')]);
}

/** An OK_Packet payload (CLIENT_PROTOCOL_41, no session tracking): 0x00, affected rows, last insert id,
 * status flags, warnings, human-readable info. */
export function okPayload(affectedRows: number, statusFlags: number, message: string): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(statusFlags, 1);
  return Buffer.concat([Buffer.from([0x00]), lengthEncoded(affectedRows), Buffer.from([0x00]), head.subarray(1), Buffer.from(message, 'utf8')]);
}

/** A length-encoded integer (page_protocol_basic_dt_integers.html). */
function lengthEncoded(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

const sha1 = (...parts: Buffer[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The form ProxySQL and MySQL store: "*" + upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  return `*${sha1(sha1(Buffer.from(password, 'utf8'))).toString('hex').toUpperCase()}`;
}

/** Whether `token` (the client's auth response) proves knowledge of `stored` for `scramble`:
 * token = SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). */
export function checkNativePassword(stored: string, scramble: Buffer, token: Buffer): boolean {
  if (stored === '') return token.length === 0;
  if (token.length !== 20) return false;
  const isHash = /^\*[0-9A-Fa-f]{40}$/.test(stored);
  const stage2 = isHash ? Buffer.from(stored.slice(1), 'hex') : sha1(sha1(Buffer.from(stored, 'utf8')));
  const mask = sha1(scramble, stage2);
  const stage1 = Buffer.from(token.map((b, i) => b ^ (mask[i] as number)));
  return timingSafeEqual(sha1(stage1), stage2);
}
