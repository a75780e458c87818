// The ProxySQL stand-in's command line, ProxySQL's own flags plus what the pod runtime needs:
//   node tools/proxysql/main.ts -f -c <proxysql.cnf> [-D <datadir>] [--initial | --reload]
//                               [--bind-address <ip>] [--frontend-certs <dir>]
// -f (foreground) is accepted and is the only mode: the stand-in never daemonizes and logs to stderr.
// It exits 1 with the reason on stderr when it cannot start, and 0 on SIGTERM or SIGINT after closing
// its listeners and sessions (within a second).
import { parseArgs } from 'node:util';
import { error, info } from './log.ts';
import { startProxySQL, type ProxySQL } from './proxysql.ts';

const usage = 'usage: main.ts -f -c <proxysql.cnf> [-D <datadir>] [--initial | --reload] [--bind-address <ip>] [--frontend-certs <dir>]';

let options;
try {
  options = parseArgs({
    options: {
      foreground: { type: 'boolean', short: 'f' },
      config: { type: 'string', short: 'c' },
      datadir: { type: 'string', short: 'D' },
      initial: { type: 'boolean' },
      reload: { type: 'boolean' },
      'bind-address': { type: 'string' },
      'frontend-certs': { type: 'string' },
    },
  }).values;
} catch (err) {
  error(`${(err as Error).message}\n${usage}`);
  process.exit(1);
}
if (!options.config) {
  error(`-c <proxysql.cnf> is required\n${usage}`);
  process.exit(1);
}

let proxysql: ProxySQL;
try {
  proxysql = await startProxySQL({
    config: options.config,
    datadir: options.datadir,
    initial: options.initial,
    reload: options.reload,
    bindAddress: options['bind-address'],
    frontendCerts: options['frontend-certs'],
  });
} catch (err) {
  error(`ProxySQL stand-in cannot start: ${(err as Error).message}`);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    info(`Received ${signal}: shutting down`);
    setTimeout(() => process.exit(0), 900).unref();
    void proxysql.stop().then(() => process.exit(0));
  });
}
