// Finding what signs a Certificate: its issuerRef names an Issuer (same namespace) or a ClusterIssuer of
// group cert-manager.io. A selfSigned issuer signs with the new key itself; a CA issuer with the key pair in
// its spec.ca.secretName (for a ClusterIssuer, in the cluster resource namespace). Anything missing is a
// Problem that names what is missing; the controller reports it and tries again when that thing changes.
import type { V1Secret } from '@kubernetes/client-node';
import { isNotFound, type Kube } from '../../platform/kube.ts';
import type { CAKeyPair } from './issue.ts';
import { GROUP, VERSION, type CMCertificate, type Issuer } from './types.ts';

export interface Problem {
  reason: string;
  message: string;
}

export type Signer = { ok: true; ca?: CAKeyPair } | ({ ok: false } & Problem);

export async function resolveSigner(kube: Kube, certificate: CMCertificate, clusterResourceNamespace: string): Promise<Signer> {
  const ref = certificate.spec.issuerRef;
  const group = ref.group || GROUP;
  const kind = ref.kind || 'Issuer';
  const problem = (reason: string, message: string): Signer => ({ ok: false, reason, message });
  if (group !== GROUP) return problem('Pending', `Issuer group "${group}" is not served here: only ${GROUP} CA and SelfSigned issuers are`);
  if (kind !== 'Issuer' && kind !== 'ClusterIssuer') return problem('Pending', `Unknown issuer kind "${kind}" of group ${GROUP}`);

  const namespace = certificate.metadata.namespace!;
  let issuer: Issuer;
  try {
    issuer = (kind === 'Issuer'
      ? await kube.custom.getNamespacedCustomObject({ group, version: VERSION, namespace, plural: 'issuers', name: ref.name })
      : await kube.custom.getClusterCustomObject({ group, version: VERSION, plural: 'clusterissuers', name: ref.name })) as Issuer;
  } catch (err) {
    if (isNotFound(err)) {
      const where = kind === 'Issuer' ? ` in namespace "${namespace}"` : '';
      return problem('IssuerNotFound', `Referenced "${kind}" not found: ${kind.toLowerCase()}.${GROUP} "${ref.name}"${where} does not exist`);
    }
    throw err;
  }

  if (issuer.spec?.selfSigned) return { ok: true };
  const secretName = issuer.spec?.ca?.secretName;
  if (!secretName) {
    return problem('Pending', `${kind} "${ref.name}" is neither a CA issuer (spec.ca.secretName) nor a SelfSigned issuer (spec.selfSigned)`);
  }
  const secretNamespace = kind === 'Issuer' ? namespace : clusterResourceNamespace;
  let secret: V1Secret;
  try {
    secret = await kube.core.readNamespacedSecret({ namespace: secretNamespace, name: secretName });
  } catch (err) {
    if (isNotFound(err)) return problem('Pending', `CA Secret "${secretNamespace}/${secretName}" of ${kind} "${ref.name}" does not exist`);
    throw err;
  }
  const certPem = decode(secret.data?.['tls.crt']);
  const keyPem = decode(secret.data?.['tls.key']);
  if (!certPem || !keyPem) {
    return problem('Pending', `CA Secret "${secretNamespace}/${secretName}" of ${kind} "${ref.name}" lacks ${!certPem ? 'tls.crt' : 'tls.key'}`);
  }
  return { ok: true, ca: { certPem, keyPem } };
}

const decode = (value?: string) => (value ? Buffer.from(value, 'base64').toString('utf8') : undefined);
