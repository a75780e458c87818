// Listening on an interface list as ProxySQL writes it in mysql-interfaces and admin-mysql_ifaces:
// entries separated by ';', each "host:port" or the path of a Unix socket. The pod runtime passes the
// pod's own address with --bind-address, which takes the place of 0.0.0.0 (in a real pod 0.0.0.0 is the
// pod's interfaces; here several pods share one machine). Unix socket entries are not served: every
// simulated pod would claim the same path (KubeDB's proxysql.cnf lists /tmp/proxysql.sock).
import { createServer, type Server, type Socket } from 'node:net';
import { warning } from './log.ts';

export interface Endpoint {
  host: string;
  port: number;
}

export function parseInterfaces(list: string, bindAddress?: string): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const entry of list.split(';').filter(Boolean)) {
    if (entry.startsWith('/')) {
      warning(`Not listening on Unix socket ${entry}: the stand-in serves TCP interfaces only`);
      continue;
    }
    const at = entry.lastIndexOf(':');
    const host = entry.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(entry.slice(at + 1));
    if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid interface "${entry}"`);
    endpoints.push({ host: host === '0.0.0.0' && bindAddress ? bindAddress : host, port });
  }
  return endpoints;
}

/** The servers for one interface list; closing stops accepting (open sessions are closed elsewhere). */
export async function listen(endpoints: Endpoint[], onSocket: (socket: Socket) => void, what: string): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    for (const { host, port } of endpoints) {
      const server = createServer(onSocket);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err) => reject(new Error(`Unable to listen on ${host}:${port} for the ${what}: ${err.message}`)));
        server.listen(port, host, () => resolve());
      });
      servers.push(server);
    }
  } catch (err) {
    await closeServers(servers);
    throw err;
  }
  return servers;
}

export async function closeServers(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}
