// One pass over one Certificate: gather its inputs fresh from the API server (never from a watch cache,
// which may lag our own writes), ask the decision whether to issue, and apply the outcome:
//   - nothing to do: keep status (Ready, validity, renewalTime) and the secretTemplate in step, write only on change;
//   - issue: Secret first, then status (Ready, revision+1, Issuing removed) — Ready never precedes the Secret;
//   - cannot issue yet: say why on the status; the watches bring us back when the missing thing appears.
import type { V1Secret } from '@kubernetes/client-node';
import type { Condition } from '../../model/types.ts';
import type { Logger } from '../../platform/logger.ts';
import { isConflict, isNotFound, mergePatch, type Kube } from '../../platform/kube.ts';
import { findCondition, READY_MESSAGE, sameJSON, sameRequest, setCondition } from './conditions.ts';
import { issue, pemBlocks, type Issued } from './issue.ts';
import { resolveSigner, type Problem } from './issuer.ts';
import { needsIssuance, type Trigger } from './needs-issuance.ts';
import { kubeTime, renewalTime } from './renewal.ts';
import { issuedSecret, secretTemplatePatch, secretView } from './secret.ts';
import { GROUP, VERSION, type CMCertificate } from './types.ts';
import { x509 } from './x509.ts';

export interface ReconcileContext {
  kube: Kube;
  log: Logger;
  clusterResourceNamespace: string;
  now?: () => Date;
}

/** Returns when to look at this Certificate again unprompted (its renewal time), if ever. */
export async function reconcileCertificate(ctx: ReconcileContext, namespace: string, name: string): Promise<Date | undefined> {
  const { kube } = ctx;
  const now = (ctx.now ?? (() => new Date()))();
  const certificate = await readCertificate(kube, namespace, name);
  if (!certificate) return undefined;
  const secret = await readSecret(kube, namespace, certificate.spec.secretName);
  const view = secret && secretView(secret);

  const trigger = needsIssuance({ certificate, secret: view, now });
  if (!trigger) {
    const cert = new x509.X509Certificate(pemBlocks(view!.data['tls.crt']!)[0]!);
    await keepReady(ctx, certificate, cert.notBefore, cert.notAfter, now);
    const patch = secretTemplatePatch(certificate, view!);
    if (patch) await kube.core.patchNamespacedSecret({ namespace, name: certificate.spec.secretName, body: patch }, mergePatch);
    return renewalTime(cert.notBefore, cert.notAfter, certificate.spec);
  }

  const signer = await resolveSigner(kube, certificate, ctx.clusterResourceNamespace);
  if (!signer.ok) {
    await reportPending(ctx, certificate, trigger, signer, now);
    return undefined;
  }
  let issued: Issued;
  try {
    const reuse = certificate.spec.privateKey?.rotationPolicy === 'Never' ? view?.data['tls.key'] : undefined;
    issued = await issue(certificate.spec, signer.ca, now, reuse);
  } catch (err) {
    // A spec or CA key pair that cannot produce a certificate: wait for one of them to change.
    await reportPending(ctx, certificate, trigger, { reason: 'Failed', message: `Issuing failed: ${(err as Error).message}` }, now);
    return undefined;
  }

  await writeSecret(kube, certificate, issued, secret);
  const revision = await markIssued(ctx, certificate, issued, now);
  ctx.log.info(
    { certificate: `${namespace}/${name}`, serial: issued.serialNumber, revision, reason: trigger.reason, notAfter: kubeTime(issued.notAfter) },
    'issued certificate',
  );
  return renewalTime(issued.notBefore, issued.notAfter, certificate.spec);
}

async function readCertificate(kube: Kube, namespace: string, name: string): Promise<CMCertificate | undefined> {
  try {
    return (await kube.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'certificates', name })) as CMCertificate;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function readSecret(kube: Kube, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await kube.core.readNamespacedSecret({ namespace, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Create the Secret, or replace it as read (resourceVersion guards against a concurrent change). */
async function writeSecret(kube: Kube, certificate: CMCertificate, issued: Issued, existing?: V1Secret) {
  const namespace = certificate.metadata.namespace!;
  const body = issuedSecret(certificate, issued, existing);
  if (existing) await kube.core.replaceNamespacedSecret({ namespace, name: certificate.spec.secretName, body });
  else await kube.core.createNamespacedSecret({ namespace, body });
}

type Status = NonNullable<CMCertificate['status']>;

/** Merge-patch the status subresource, conditional on the resourceVersion we read (409 if it moved). */
async function patchStatus(kube: Kube, certificate: CMCertificate, status: Partial<Status>) {
  await kube.custom.patchNamespacedCustomObjectStatus(
    {
      group: GROUP,
      version: VERSION,
      namespace: certificate.metadata.namespace!,
      plural: 'certificates',
      name: certificate.metadata.name!,
      body: { metadata: { resourceVersion: certificate.metadata.resourceVersion }, status },
    },
    mergePatch,
  );
}

const readyTrue = (certificate: CMCertificate) => ({
  type: 'Ready',
  status: 'True' as const,
  reason: 'Ready',
  message: READY_MESSAGE,
  observedGeneration: certificate.metadata.generation,
});

/** The Secret is up to date: status should say so, with the validity of the certificate it holds. */
async function keepReady(ctx: ReconcileContext, certificate: CMCertificate, notBefore: Date, notAfter: Date, now: Date) {
  const current = certificate.status ?? {};
  const conditions = setCondition(current.conditions ?? [], readyTrue(certificate), kubeTime(now));
  const want = {
    conditions,
    notBefore: kubeTime(notBefore),
    notAfter: kubeTime(notAfter),
    renewalTime: kubeTime(renewalTime(notBefore, notAfter, certificate.spec)),
  };
  const have = { conditions: current.conditions ?? [], notBefore: current.notBefore, notAfter: current.notAfter, renewalTime: current.renewalTime };
  if (!sameJSON(want, have)) await patchStatus(ctx.kube, certificate, want);
}

/**
 * Issuance is wanted but cannot happen yet. Issuing=True records that it is wanted (an existing request,
 * e.g. cmctl renew's, is kept and only its message amended). Ready stays True while the Secret still holds
 * a valid certificate that matches the spec (as in cert-manager); otherwise Ready=False says what is missing.
 */
async function reportPending(ctx: ReconcileContext, certificate: CMCertificate, trigger: Trigger, problem: Problem, now: Date) {
  const current = certificate.status?.conditions ?? [];
  const at = kubeTime(now);
  const request = findCondition(current, 'Issuing');
  const waiting = `${trigger.message}; waiting: ${problem.message}`;
  let conditions =
    request?.status === 'True'
      ? current.map((c) => (c === request ? { ...c, message: `${baseMessage(c.message)}; waiting: ${problem.message}` } : c))
      : setCondition(current, { type: 'Issuing', status: 'True', reason: trigger.reason, message: waiting, observedGeneration: certificate.metadata.generation }, at);
  conditions = trigger.secretUpToDate
    ? conditions
    : setCondition(conditions, { type: 'Ready', status: 'False', reason: problem.reason, message: problem.message, observedGeneration: certificate.metadata.generation }, at);
  if (sameJSON(conditions, current)) return;
  await patchStatus(ctx.kube, certificate, { conditions });
  ctx.log.warn({ certificate: `${certificate.metadata.namespace}/${certificate.metadata.name}`, reason: problem.reason, trigger: trigger.reason }, problem.message);
}

const baseMessage = (message = '') => message.split('; waiting: ')[0];

/**
 * After the Secret is written: Ready=True for the generation we issued for, revision+1, the validity, and
 * the Issuing request we acted on removed. A request made after we read the Certificate (a different
 * Issuing condition) is left in place so that it is honoured by the next pass. Retried on conflict with a
 * fresh read, so a concurrent status change is merged rather than overwritten.
 */
async function markIssued(ctx: ReconcileContext, seen: CMCertificate, issued: Issued, now: Date): Promise<number> {
  const actedOn = findCondition(seen.status?.conditions, 'Issuing');
  const revision = (seen.status?.revision ?? 0) + 1;
  let certificate = seen;
  for (let attempt = 0; ; attempt++) {
    const kept: Condition[] = (certificate.status?.conditions ?? []).filter((c) => !(c.type === 'Issuing' && (sameRequest(c, actedOn) || c.status !== 'True')));
    const conditions = setCondition(kept, { ...readyTrue(certificate), observedGeneration: seen.metadata.generation }, kubeTime(now));
    try {
      await patchStatus(ctx.kube, certificate, {
        conditions,
        revision,
        notBefore: kubeTime(issued.notBefore),
        notAfter: kubeTime(issued.notAfter),
        renewalTime: kubeTime(renewalTime(issued.notBefore, issued.notAfter, seen.spec)),
      });
      return revision;
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
      const fresh = await readCertificate(ctx.kube, seen.metadata.namespace!, seen.metadata.name!);
      if (!fresh) throw err;
      certificate = fresh;
    }
  }
}
