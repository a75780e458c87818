// How the API server reaches cert-manager's webhook here: the Validating- and MutatingWebhookConfiguration of
// cert-manager's Helm chart (v1.21.2, webhook-validating-webhook.yaml / webhook-mutating-webhook.yaml) with a
// URL on loopback in place of the in-cluster Service, and the environment's CA (which signed the webhook's
// serving certificate) as caBundle. failurePolicy Fail, as upstream: while the webhook is down, every write of
// a cert-manager resource is refused, the controller's own included.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectl } from './kubectl.ts';
import type { Context } from './services.ts';

const policy = (caBundle: string, url: string) => `    admissionReviewVersions: ["v1"]
    matchPolicy: Equivalent
    timeoutSeconds: 30
    failurePolicy: Fail
    sideEffects: None
    clientConfig:
      url: ${url}
      caBundle: ${caBundle}`;

export function webhookConfigurations(caPem: string, port: number): string {
  const caBundle = Buffer.from(caPem).toString('base64');
  const base = `https://127.0.0.1:${port}`;
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: cert-manager-webhook
webhooks:
  - name: webhook.cert-manager.io
    namespaceSelector:
      matchExpressions:
        - key: cert-manager.io/disable-validation
          operator: NotIn
          values: ["true"]
    rules:
      - apiGroups: ["cert-manager.io", "acme.cert-manager.io"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["*/*"]
${policy(caBundle, `${base}/validate`)}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: cert-manager-webhook
webhooks:
  - name: webhook.cert-manager.io
    rules:
      - apiGroups: ["cert-manager.io"]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["certificaterequests"]
${policy(caBundle, `${base}/mutate`)}
`;
}

/** Applied once the webhook serves (idempotent): before it, cert-manager writes would fail. */
export async function applyWebhookConfigurations(c: Context): Promise<void> {
  const file = join(c.stateDir, 'cert-manager-webhook.yaml');
  await writeFile(file, webhookConfigurations(await readFile(c.pki.ca, 'utf8'), c.ports.certManagerWebhook));
  await kubectl(c.kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', file]);
}
