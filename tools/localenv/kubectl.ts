// The environment's own kubectl (built with Kubernetes), against its API server.
import { binaryPath } from './build.ts';
import { run } from './exec.ts';

export const kubectl = (kubeconfig: string, args: string[]) => run(binaryPath('kubernetes', 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args]);
