// One MySQL-protocol session on a socket, using mysql2's server connection for what it does (the
// greeting, parsing the HandshakeResponse, framing packets, OK and result-set packets), with TLS added
// underneath (tls-upgrade.ts) and four of its server-side gaps closed here:
//   - mysql2 keeps counting sequence ids across commands; each command's reply must start at 1 and the
//     next command comes with 0 (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
//     "Sequence ID"), so every reply resets it;
//   - its ERR packets carry "#_____" as SQL state, where ProxySQL's carry real ones (28000, 42000), and
//     its OK packets cannot carry a message, so both are written with mysql-protocol.ts's payloads;
//   - it hands a COM_QUERY that starts with SET or PREPARE to its 'stmt_prepare' event and one starting
//     with EXECUTE to 'stmt_execute'; the 'packet' event that follows tells a COM_QUERY from a real
//     prepared statement, so both reach the query handler;
//   - it does not answer commands it does not know; those get an error.
// mysql2 exports Connection and ConnectionConfig at run time (index.js) but its typings only describe the
// client side, hence the small interface below for the members used.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { CHARSET_UTF8_GENERAL_CI, CLIENT, errPayload, okPayload, SERVER_STATUS_AUTOCOMMIT, serverCapabilities } from './mysql-protocol.ts';
import { UpgradableStream } from './tls-upgrade.ts';

interface ServerConnection {
  sequenceId: number;
  serverHandshake(args: object): void;
  writeColumns(columns: object[]): void;
  writeTextRow(values: (string | null)[]): void;
  writeEof(warnings?: number, statusFlags?: number): void;
  writePacket(packet: { buffer: Buffer; length(): number; writeHeader(sequenceId: number): void }): void;
  close(): void;
  on(event: string, listener: (...args: never[]) => void): void;
}
interface Mysql2ServerSide {
  Connection: new (opts: { config: unknown }) => ServerConnection;
  ConnectionConfig: new (opts: { stream: UpgradableStream; isServer: true }) => unknown;
}
const mysql2 = createRequire(import.meta.url)('mysql2') as Mysql2ServerSide;

const COM = { QUERY: 0x03, FIELD_LIST: 0x04, STMT_PREPARE: 0x16, STMT_EXECUTE: 0x17 } as const;

export interface MysqlError {
  code: number;
  sqlState: string;
  message: string;
}

/** What a session needs to know about the client when it authenticates. */
export interface Login {
  user: string;
  /** The client's auth response (mysql_native_password scramble), and the scramble it answers. */
  token: Buffer;
  scramble: Buffer;
  address: string;
  encrypted: boolean;
}

export interface Reply {
  ok(affectedRows?: number, message?: string): void;
  rows(columns: string[], rows: (string | null)[][]): void;
  error(err: MysqlError): void;
}

export interface SessionHandler {
  serverVersion: string;
  /** The TLS context to offer (CLIENT_SSL in the greeting), or nothing. */
  tls(): SecureContext | undefined;
  authenticate(login: Login): MysqlError | undefined;
  query(sql: string, reply: Reply, session: { user: string }): void;
}

let nextConnectionId = 1;

export function startSession(socket: Socket, handler: SessionHandler): void {
  const offered = handler.tls();
  let conn: ServerConnection | undefined;
  // The SSLRequest took a sequence id that mysql2 did not see.
  const stream = new UpgradableStream(
    socket,
    () => offered,
    () => {
      if (conn) conn.sequenceId += 1;
    },
  );
  conn = new mysql2.Connection({ config: new mysql2.ConnectionConfig({ stream, isServer: true }) });
  const c = conn;
  c.on('error', () => {}); // a client that goes away is not the server's error
  let user = '';

  // A packet of ours through mysql2's writer, which frames it with the connection's sequence id.
  const writeRaw = (payload: Buffer) => {
    const buffer = Buffer.concat([Buffer.alloc(4), payload]);
    const writeHeader = (sequenceId: number) => {
      buffer.writeUIntLE(payload.length, 0, 3);
      buffer.writeUInt8(sequenceId, 3);
    };
    c.writePacket({ buffer, length: () => buffer.length, writeHeader });
  };
  const writeErr = (err: MysqlError) => writeRaw(errPayload(err.code, err.sqlState, err.message));
  const reply = (): Reply => {
    c.sequenceId = 1;
    const done = () => (c.sequenceId = 0);
    return {
      ok: (affectedRows = 0, message = '') => (writeRaw(okPayload(affectedRows, SERVER_STATUS_AUTOCOMMIT, message)), done()),
      error: (err) => (writeErr(err), done()),
      rows: (columns, rows) => {
        c.writeColumns(columns.map(column));
        for (const row of rows) c.writeTextRow(row);
        c.writeEof(0, SERVER_STATUS_AUTOCOMMIT);
        done();
      },
    };
  };
  const runQuery = (sql: string) => {
    const r = reply();
    try {
      handler.query(sql, r, { user });
    } catch (err) {
      r.error({ code: 1045, sqlState: '28000', message: `ProxySQL Error: ${(err as Error).message}` });
    }
  };

  c.serverHandshake({
    protocolVersion: 10,
    serverVersion: handler.serverVersion,
    connectionId: nextConnectionId++,
    statusFlags: SERVER_STATUS_AUTOCOMMIT,
    characterSet: CHARSET_UTF8_GENERAL_CI,
    capabilityFlags: serverCapabilities | (offered ? CLIENT.SSL : 0),
    authCallback: (p: { user: string; authToken: Buffer; authPluginData1: Buffer; authPluginData2: Buffer }, cb: (err: null, mysqlError: null) => void) => {
      const refused = handler.authenticate({
        user: p.user,
        token: p.authToken,
        scramble: Buffer.concat([p.authPluginData1, p.authPluginData2]),
        address: socket.remoteAddress ?? '',
        encrypted: stream.encrypted,
      });
      if (refused) {
        writeErr(refused);
        c.close();
        return;
      }
      user = p.user;
      cb(null, null); // mysql2 writes the OK
      c.sequenceId = 0;
    },
  });

  let deferred: string | undefined; // a COM_QUERY mysql2 announced as a prepared statement
  c.on('query', (sql: string) => runQuery(sql));
  c.on('stmt_prepare', (sql: string) => (deferred = sql));
  c.on('stmt_execute', (_id: unknown, _flags: unknown, _count: unknown, _values: unknown, sql?: string) => (deferred = sql));
  c.on('field_list', () => reply().error({ code: 1045, sqlState: '28000', message: 'Command not supported' }));
  c.on('packet', (_packet: unknown, known: boolean, command: number) => {
    const sql = deferred;
    deferred = undefined;
    if (command === COM.QUERY && sql !== undefined) runQuery(sql);
    else if (command === COM.STMT_PREPARE || command === COM.STMT_EXECUTE || !known) reply().error({ code: 1045, sqlState: '28000', message: 'Command not supported' });
    else if (command !== COM.QUERY && command !== COM.FIELD_LIST) c.sequenceId = 0; // PING, INIT_DB: mysql2 answered OK
  });
}

/** A text column as ProxySQL's admin sends them: every column a VAR_STRING. */
function column(name: string): object {
  return { catalog: 'def', schema: '', table: '', orgTable: '', name, orgName: name, characterSet: CHARSET_UTF8_GENERAL_CI, columnLength: 255, columnType: 0xfd, flags: 0, decimals: 0 };
}
