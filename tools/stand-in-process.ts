// Runs stand-ins (KubeDB's provisioner, the pod finalizer) in this process until
// SIGTERM/SIGINT, then exits 0 (1 if one failed). Each logs to $LOG_DIR/<name>.json.log, or standard output.
// Env: KUBECONFIG (else .localenv/env, ~/.kube/config, in-cluster).
import { join } from 'node:path';
import { loadLocalEnvDefaults } from '../platform/env.ts';
import { connectKube, type Kube } from '../platform/kube.ts';
import { createLogger, type Logger } from '../platform/logger.ts';

export type StandIn = (kube: Kube, signal: AbortSignal, log: Logger) => Promise<void>;

export async function runStandIns(standIns: Record<string, StandIn>): Promise<never> {
  loadLocalEnvDefaults();
  const kube = connectKube();
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
  let code = 0;
  const logs = await Promise.all(
    Object.entries(standIns).map(async ([name, run]) => {
      const log = createLogger(name, process.env.LOG_DIR && join(process.env.LOG_DIR, `${name}.json.log`));
      try {
        await run(kube, stop.signal, log);
        log.info('stopped');
      } catch (err) {
        log.fatal({ err }, `${name} failed`);
        code = 1;
        stop.abort();
      }
      return log;
    }),
  );
  // Exit once the logs are flushed: an idle keep-alive connection must not keep the process up.
  await Promise.all(logs.map((log) => new Promise((resolve) => log.flush(resolve))));
  process.exit(code);
}
