// The local environment's stand-ins, in one process (they share its Kubernetes connection and memory).
import { runProvisioner } from './kubedb-provisioner/controller.ts';
import { runPodFinalizer } from './pod-finalizer/finalizer.ts';
import { runStandIns } from './stand-in-process.ts';

await runStandIns({ 'kubedb-provisioner': runProvisioner, 'pod-finalizer': runPodFinalizer });
