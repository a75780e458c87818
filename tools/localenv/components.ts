// The programs the local environment runs, built from published Go modules.
// Versions are the ones tried in ../shared/localenv.md; bump them here only.
import { fileURLToPath } from 'node:url';

const wrapperDir = (name: string) => fileURLToPath(new URL(`./go/${name}`, import.meta.url));

export interface GoComponent {
  name: string;
  version: string;
  binaries: string[];
  /** `install`: `go install <pkg>@<version>`; `wrapper`: `go build` inside a wrapper module of ours. */
  source: { install: string } | { wrapperDir: string; packages: Record<string, string> };
  ldflags: string[];
}

const k8sVersion = 'v1.36.3';
// Keep in step with the require in go/cert-manager/go.mod.
const certManagerVersion = 'v1.21.2';
const k8sStamp = (pkg: string) => [
  `-X ${pkg}.gitVersion=${k8sVersion}`,
  `-X ${pkg}.gitMajor=1`,
  `-X ${pkg}.gitMinor=36`,
];

export const components: GoComponent[] = [
  {
    name: 'temporal',
    version: 'v1.5.1',
    binaries: ['temporal'],
    source: { install: 'github.com/temporalio/cli/cmd/temporal' },
    ldflags: ['-X github.com/temporalio/cli/temporalcli.Version=1.5.1'],
  },
  {
    name: 'etcd',
    version: 'v3.6.10',
    binaries: ['etcd'],
    source: { wrapperDir: wrapperDir('etcd'), packages: { etcd: 'go.etcd.io/etcd/server/v3' } },
    ldflags: ['-X go.etcd.io/etcd/api/v3/version.GitSHA=v3.6.10'],
  },
  {
    name: 'kubernetes',
    version: k8sVersion,
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kubectl'],
    source: {
      wrapperDir: wrapperDir('kubernetes'),
      packages: {
        'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
        'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
        kubectl: 'k8s.io/kubernetes/cmd/kubectl',
      },
    },
    ldflags: [...k8sStamp('k8s.io/component-base/version'), ...k8sStamp('k8s.io/client-go/pkg/version')],
  },
  {
    name: 'kwok',
    version: 'v0.8.0',
    binaries: ['kwok'],
    source: { install: 'sigs.k8s.io/kwok/cmd/kwok' },
    ldflags: [],
  },
  {
    // The real cert-manager: one binary, `cert-manager controller` and `cert-manager webhook` (see go/cert-manager).
    name: 'cert-manager',
    version: certManagerVersion,
    binaries: ['cert-manager'],
    source: { wrapperDir: wrapperDir('cert-manager'), packages: { 'cert-manager': 'github.com/cert-manager/cert-manager/opsflow-localenv' } },
    ldflags: [`-X github.com/cert-manager/cert-manager/pkg/util.AppVersion=${certManagerVersion}`],
  },
];

/** cert-manager's own CRDs, read from its module (deploy/crds/), all six: its controllers list and watch every kind. */
export const certManagerCRDs = [
  'cert-manager.io_certificates.yaml',
  'cert-manager.io_certificaterequests.yaml',
  'cert-manager.io_issuers.yaml',
  'cert-manager.io_clusterissuers.yaml',
  'acme.cert-manager.io_orders.yaml',
  'acme.cert-manager.io_challenges.yaml',
].map((f) => `deploy/crds/${f}`);

/**
 * kwok's own stage definitions (read from its module), concatenated into the config kwok is started with.
 * Not its pod-delete stage: that deletes terminating pods by name only and can hit a StatefulSet's replacement
 * pod; tools/pod-finalizer does that step the kubelet's way (with the pod's UID as precondition).
 */
export const kwokStages = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat/node-heartbeat.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
];
