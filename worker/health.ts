// The worker's health endpoint (Temporal has none built in): /healthz is the worker's own state,
// /readyz also asks the Temporal server through the worker's connection.
import { createServer, type Server } from 'node:http';
import type { NativeConnection, Worker } from '@temporalio/worker';

export function serveHealth(address: string, worker: Worker, connection: NativeConnection): Server {
  const [host, port] = address.includes(':') ? [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)] : ['0.0.0.0', address];
  const server = createServer(async (req, res) => {
    const state = worker.getState();
    let ok = state === 'RUNNING';
    let detail = `worker ${state}`;
    if (ok && req.url === '/readyz') {
      try {
        await connection.healthService.check({});
        detail += ', Temporal reachable';
      } catch (err) {
        ok = false;
        detail += `, Temporal unreachable: ${(err as Error).message}`;
      }
    } else if (req.url !== '/healthz' && req.url !== '/readyz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${detail}\n`);
  });
  server.listen(Number(port), host);
  return server;
}
