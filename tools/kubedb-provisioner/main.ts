// KubeDB's provisioner stand-in, alone: `node tools/kubedb-provisioner/main.ts`.
// SIMULATED_NODE: the node pods are placed on (default: the first kwok node).
import { runStandIns } from '../stand-in-process.ts';
import { runProvisioner } from './controller.ts';

await runStandIns({ 'kubedb-provisioner': runProvisioner });
