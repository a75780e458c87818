// The local environment's stand-ins, in one process (they share its Kubernetes connection and memory).
import { runCertManager } from './cert-manager/controller.ts';
import { runProvisioner } from './kubedb-provisioner/controller.ts';
import { runPodFinalizer } from './pod-finalizer/finalizer.ts';
import { runStandIns } from './stand-in-process.ts';

await runStandIns({ 'cert-manager': runCertManager, 'kubedb-provisioner': runProvisioner, 'pod-finalizer': runPodFinalizer });
