// Runs the stand-in as its own process, the way the pod runtime does, and waits until it is ready or
// has exited: for tests and for anyone who needs a ProxySQL from code. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface Running {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  log(): string;
  /** SIGTERM, then the exit code (and how long it took). */
  stop(): Promise<{ code: number | null; ms: number }>;
}

export interface Exited {
  code: number | null;
  log: string;
}

/** Starts `node main.ts <args>`; resolves once it logs that it is ready, or with its exit if it stops. */
export function runStandIn(args: string[], timeoutMs = 15000): Promise<Running | Exited> {
  const child = spawn(process.execPath, [mainPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stand-in not ready after ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ProxySQL stand-in ready')) {
        clearTimeout(timer);
        resolve({
          child,
          log: () => log,
          stop: () => {
            const started = Date.now();
            const exited = new Promise<{ code: number | null; ms: number }>((done) => child.once('exit', (code) => done({ code, ms: Date.now() - started })));
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}

export function isRunning(r: Running | Exited): r is Running {
  return 'child' in r;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** The server's greeting (Protocol::HandshakeV10, https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html):
 * the version it announces and its capability flags. The connection is closed right after. */
export function readGreeting(port: number, host = '127.0.0.1'): Promise<{ serverVersion: string; capabilities: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readUIntLE(0, 3)) return;
      socket.destroy();
      const end = data.indexOf(0, 5);
      const serverVersion = data.subarray(5, end).toString();
      const at = end + 1 + 4 + 8 + 1; // connection id, auth-plugin-data-part-1, filler
      const capabilities = data.readUInt16LE(at) | (data.readUInt16LE(at + 5) << 16); // lower 2 bytes, charset, status, upper 2 bytes
      resolve({ serverVersion, capabilities });
    });
  });
}
