// Entry point of the cert-manager stand-in: `node tools/cert-manager/main.ts`.
// Environment: KUBECONFIG (else ~/.kube/config, else in-cluster), LOG_FILE (optional; else stdout),
// CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE (where ClusterIssuers' CA Secrets live; default cert-manager).
// Runs until SIGTERM or SIGINT, finishes the issuance in progress, and exits 0.
import { connectKube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { runCertManager } from './controller.ts';

const log = createLogger('cert-manager', process.env.LOG_FILE);
const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    stop.abort();
  });
}

let code = 0;
try {
  await runCertManager(connectKube(), stop.signal, log);
  log.info('stopped');
} catch (err) {
  log.fatal({ err }, 'cert-manager stand-in failed');
  code = 1;
}
// Exit explicitly once the log is flushed: an idle keep-alive connection must not keep the process up.
log.flush(() => process.exit(code));
