// When a certificate is due for renewal, computed as cert-manager's RenewalTime does: from the
// certificate's actual validity, renewBefore (if shorter than the validity) or renewBeforePercentage,
// else a third of the validity; truncated to the second because status stores whole seconds.
import { parseGoDuration } from './duration.ts';
import type { CertificateSpec } from './types.ts';

export function renewalTime(
  notBefore: Date,
  notAfter: Date,
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>,
): Date {
  const actual = notAfter.getTime() - notBefore.getTime();
  let renewBefore = actual / 3;
  const override = spec.renewBefore ? parseGoDuration(spec.renewBefore) : undefined;
  if (override !== undefined && override < actual) renewBefore = override;
  else if (spec.renewBeforePercentage !== undefined) {
    const fromPercentage = (actual * spec.renewBeforePercentage) / 100;
    if (fromPercentage < actual) renewBefore = fromPercentage;
  }
  return new Date(Math.floor((notAfter.getTime() - renewBefore) / 1000) * 1000);
}

/** metav1.Time's wire form: RFC 3339 in UTC with whole seconds. */
export const kubeTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
