// The local environment's stand-ins, in one process (they share its Kubernetes connection and memory).
// With the pod runtime enabled for this environment (tools/pod-runtime/mode.ts), it runs here too, and the
// pod finalizer leaves the pods it runs to it.
import { runProvisioner } from './kubedb-provisioner/controller.ts';
import { runPodFinalizer } from './pod-finalizer/finalizer.ts';
import { stateDir } from './localenv/paths.ts';
import { readMode } from './pod-runtime/mode.ts';
import { runPodRuntime } from './pod-runtime/runtime.ts';
import { isServed } from './pod-runtime/served.ts';
import { runStandIns, type StandIn } from './stand-in-process.ts';

const podRuntime = readMode(stateDir)?.enabled === true;
// The finalizer only looks at pods on simulated nodes, so every node counts as simulated for this check.
const everyNode = { has: () => true } as unknown as ReadonlySet<string>;
const finalizer: StandIn = (kube, signal, log) => runPodFinalizer(kube, signal, log, podRuntime ? { leaveTo: (pod) => isServed(pod, everyNode) } : {});

await runStandIns({
  'kubedb-provisioner': runProvisioner,
  'pod-finalizer': finalizer,
  ...(podRuntime ? { 'pod-runtime': runPodRuntime } : {}),
});
