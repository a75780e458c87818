// Readiness from the server itself, as a readiness probe would ask it: a MySQL-protocol server (MariaDB, the
// ProxySQL stand-in) is ready when its greeting (HandshakeV10, first byte 10) arrives on podIP:port; a
// PostgreSQL-protocol server (postgres, pgpool) when it accepts a connection and answers SSLRequest with S or
// N. Neither needs credentials; the connection is closed right after.
import { connect } from 'node:net';

export type ProbeProtocol = 'mysql' | 'postgres';

// https://www.postgresql.org/docs/current/protocol-message-formats.html (SSLRequest)
const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Resolves true when the server answers as ready, false otherwise (refused, closed, an error packet, timeout). */
export function probe(host: string, port: number, protocol: ProbeProtocol, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let got = Buffer.alloc(0);
    const done = (ready: boolean) => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    if (protocol === 'postgres') socket.once('connect', () => socket.write(sslRequest));
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (protocol === 'postgres') return done(got[0] === 0x53 /* S */ || got[0] === 0x4e /* N */);
      if (got.length < 5) return;
      done(got[4] === 0x0a); // after the 4-byte packet header: protocol version 10 (0xff would be an ERR packet)
    });
  });
}
