// Entry of the pod finalizer stand-in (started by the local environment); exits 0 on SIGTERM/SIGINT.
import { connectKube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { runPodFinalizer } from './finalizer.ts';

const log = createLogger('pod-finalizer', process.env.LOG_FILE);
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
await runPodFinalizer(connectKube(), stop.signal, log);
log.info('stopped');
