// Entry point of the KubeDB provisioner stand-in: runs until SIGTERM or SIGINT, then exits 0.
// Env: KUBECONFIG (else .localenv/env, ~/.kube/config, in-cluster), SIMULATED_NODE (else the first kwok node),
// LOG_FILE (else stdout).
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { runProvisioner } from './controller.ts';

loadLocalEnvDefaults();
const log = createLogger('kubedb-provisioner', process.env.LOG_FILE);
const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    stop.abort();
  });
}

try {
  await runProvisioner(connectKube(), stop.signal, log);
  log.info('stopped');
  log.flush(() => process.exit(0));
} catch (err) {
  log.fatal({ err }, 'provisioner failed');
  log.flush(() => process.exit(1));
}
