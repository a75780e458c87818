// "Each certificate issued once", said exactly: each Certificate was issued once as the operation asks (a
// re-issue trigger, or creating it), its spec was never rewritten, and every new revision is accounted for by an
// issuance seen starting. cert-manager may issue once more on its own (see cacheLagReasons): that is told apart
// by the reason it gives, reported, and never counted as the operation's.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { certificateRevisions } from './certificate-revisions.ts';
import type { CertificateTimeline } from './certificate-timeline.ts';

/** The Certificates an operation issues, and how it asks for each. */
export interface Issues {
  certificates: string[];
  by: 'trigger' | 'create';
}

// Issuances cert-manager starts on its own right after one it finished: its trigger read the Secret from a
// cache that had not yet seen the new certificate (against the new CertificateRequest: SecretMismatch; a new
// Certificate's Secret: DoesNotExist). Nothing opsflow does starts them.
const cacheLagReasons = ['SecretMismatch', 'DoesNotExist'];

/** Checks `issues` against what `timeline` saw since it started. */
export async function assertIssuedOnce(t: TestContext, namespace: string, issues: Issues, timeline: CertificateTimeline): Promise<void> {
  const after = await certificateRevisions(namespace, issues.certificates);
  for (const name of issues.certificates) {
    const issuances = timeline.issuances(name);
    const moved = after.get(name)! - timeline.startRevision(name);
    assert.equal(moved, issuances.length, `${name}: each new revision (${moved}) began as an issuance seen starting (${issuances.join(', ')})`);
    let own: string[];
    if (issues.by === 'trigger') {
      assert.equal(issuances.filter((r) => r === 'ManuallyTriggered').length, 1, `${name}: re-issued once as the operation asks (${issuances.join(', ')})`);
      assert.equal(timeline.generations(name).length, 1, `${name}: its spec never rewritten (generations ${timeline.generations(name).join(', ')})`);
      own = issuances.filter((r) => r !== 'ManuallyTriggered');
    } else {
      assert.equal(issuances[0], 'DoesNotExist', `${name}: issued as a new Certificate (${issuances.join(', ')})`);
      assert.deepEqual(timeline.generations(name), [1], `${name}: created once, its spec never rewritten`);
      own = issuances.slice(1);
    }
    assert.ok(own.every((r) => cacheLagReasons.includes(r)), `${name}: cert-manager issued again only after its cache lagged (${own.join(', ')})`);
    if (own.length) t.diagnostic(`${name}: cert-manager issued it again on its own (${own.join(', ')}); the run waited for that revision`);
  }
}
