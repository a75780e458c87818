// `opsflow plan`'s text: the plan the workflow would execute, step by step with each step's KubeDB condition
// and undo, then what it would change against what is there now (Certificates field by field, the pod template,
// the configuration, the database spec), the restart order with each pod's role, and the pre-flight checks.
import { certificateDiff, configDiff, specDiff, templateAfter, templateDiff } from '../../model/plan-diff.ts';
import type { Plan, ProxySQLPart, ServingCheck, StepOf } from '../../model/plan.ts';
import type { PlanFacts } from '../../model/planner.ts';
import type { DatabaseProfile } from '../../model/profiles.ts';
import { pgpoolConfKey } from '../../model/pgpool-config.ts';
import { table } from './format.ts';

const indent = (lines: string[], by = '    ') => lines.map((l) => `${by}${l}`);

const partText = (part: ProxySQLPart) =>
  'values' in part
    ? `${part.table} ${Object.entries(part.values).map(([k, v]) => `${k}=${v}`).join(', ')}`
    : `${part.table} ${part.reqType} ${part.rows.length} row${part.rows.length === 1 ? '' : 's'} (${part.rows.map((r) => JSON.stringify(r)).join(', ')})`;

const servingText = (c: ServingCheck) => `port ${c.port} (${c.protocol}) ${c.secretName ? `serves the certificate of Secret ${c.secretName}, chained to its ca.crt` : 'serves without TLS'}`;

export function renderPlan(p: DatabaseProfile, facts: PlanFacts, plan: Plan): string {
  const db = `${plan.database.kind} ${plan.database.namespace}/${plan.database.name}`;
  const ops = `${p.opsRequest.kind} ${facts.ops.metadata.namespace}/${facts.ops.metadata.name}`;
  const out: string[] = [
    `Plan of ${ops}: ${plan.summary} of ${db}`,
    'A dry run: nothing was changed. The run plans again with the same code, from the facts as they are when its turn comes.',
    '',
    'Steps, in order (each records its condition on the OpsRequest; a failure before the first restart runs the undos, newest first):',
    table(
      ['#', 'STEP', 'CONDITION', 'UNDO'],
      plan.steps.map(({ step, undo }, i) => [String(i + 1), step.label, step.condition, undo?.label ?? '']),
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  ];
  const of = <K extends Plan['steps'][number]['step']['kind']>(kind: K) => plan.steps.map((s) => s.step).filter((s): s is StepOf<K> => s.kind === kind);

  const certs = of('setCertificates');
  const issue = of('issueCertificates');
  const deletes = of('deleteCertificates');
  if (certs.length || issue.length || deletes.length) {
    out.push('', 'Certificates:');
    for (const step of certs) {
      for (const change of step.changes) {
        const d = certificateDiff(change, facts.certificates);
        out.push(`  ${d.action === 'create' ? '+' : d.action === 'delete' ? '-' : '~'} ${d.name} (${d.action})`, ...indent(d.fields));
      }
    }
    for (const step of issue) {
      for (const c of step.certificates) out.push(`  ↻ ${c.name}: ${c.trigger ? 're-issued now (as cmctl renew), then waited for' : 'waited for until cert-manager has issued its new spec'}`);
    }
    for (const step of deletes) for (const c of step.certificates) out.push(`  - ${c.name} and its Secret ${c.secretName} (deleted after the restarts)`);
  }

  for (const step of of('updateWorkload')) {
    const lines = facts.workload ? templateDiff(facts.workload.template, templateAfter(p, step, facts.workload.template)) : [];
    out.push('', `Pod template of ${step.workload.kind} ${step.workload.name} (the pods take it when they restart):`, ...(lines.length ? indent(lines, '  ') : ['  (unchanged: only the configuration hash moves)']));
  }
  for (const step of of('updateConfig')) {
    out.push('', `Configuration in Secret ${step.secretName}:`);
    for (const [file, lines] of Object.entries(configDiff(p, step, facts.renderedConfig))) {
      out.push(`  ${file}:`, ...(lines.length ? indent(lines) : ['    (unchanged)']));
    }
  }
  for (const step of of('updateDatabase')) {
    out.push('', `Database spec of ${db}:`, ...indent(specDiff(facts.database, step.patch), '  '));
  }

  const custom = [...of('createConfigSecret'), ...of('renderPgpoolConfig'), ...of('setCustomConfig')];
  if (custom.length) {
    out.push('', 'Custom configuration (file contents are read when the step runs, and never shown or recorded: they may hold passwords):');
    for (const step of of('createConfigSecret')) out.push(`  + Secret ${step.secretName}: ${step.files.join(', ')} merged ${step.base ? `over the files of Secret ${step.base}` : 'as they are'}, owned by the database`);
    for (const step of of('renderPgpoolConfig')) out.push(`  ~ Secret ${step.secretName}: ${pgpoolConfKey} rendered from ${step.custom ? `Secret ${step.custom}` : "KubeDB's defaults"}`);
    for (const step of of('setCustomConfig')) out.push(`  ~ ${step.workload.kind} ${step.workload.name}: ${step.secretName ? `mounts Secret ${step.secretName}` : 'mounts no custom configuration'}${step.hash ? `, configuration hash ${step.hash}` : ''}`);
  }

  for (const step of of('restartPods')) {
    out.push('', `Restart order (one pod at a time through the Eviction API; ${p.restartOrder === 'primary-last' ? 'standbys first, the primary last' : 'by ordinal'}; decided again before each pod, as roles move):`);
    if (!step.expected.length) out.push('  (no pod needs a restart)');
    step.expected.forEach((pod, i) => out.push(`  ${i + 1}. ${pod.pod}${pod.role ? `  ${pod.role}` : ''}`));
    out.push(`  A pod restarts when it is not on the workload's newest template${step.certificates ? ', or was created before the certificates it mounts were issued' : ''}.`);
    for (const part of step.adminBefore ?? []) out.push(`  Before its restart, on each pod: ${partText(part)}, saved to disk.`);
    for (const part of step.adminAfter ?? []) out.push(`  Once it is back, on each pod: ${partText(part)}, saved to disk.`);
    if (step.verify) out.push(`  Each pod back is checked by connecting to it: ${servingText(step.verify)}.`);
    if (step.note) out.push(`  Restarts although an in-place rotation was asked for: ${step.note} (condition InPlaceRotation False).`);
  }
  for (const step of of('reloadTLS')) {
    out.push('', `Rotation in place (${step.how === 'mysql' ? "MariaDB's FLUSH SSL, MySQL's ALTER INSTANCE RELOAD TLS" : 'PROXYSQL RELOAD TLS'}), no pod restarted; each pod once its mounted files hold the new certificate:`);
    step.pods.forEach((pod, i) => out.push(`  ${i + 1}. ${pod.pod}${pod.role ? `  ${pod.role}` : ''}`));
    out.push(`  Each pod is then checked by connecting to it: ${servingText(step.verify)}.`);
  }
  const admin = plan.steps.map((s) => s.step).filter((s) => s.kind === 'configureProxySQL' || s.kind === 'saveProxySQL');
  if (admin.length) {
    out.push('', "ProxySQL's admin interface, pod by pod (loaded to runtime and read back; a pod that refuses is put back from disk, and so are those before it):");
    for (const step of admin) out.push(step.kind === 'configureProxySQL' ? `  ${step.pod}: ${partText(step.part)}` : `  then saved to disk on ${step.pods.join(', ')}: from here on the change stays`);
  }

  for (const step of of('checkCertificates')) {
    out.push('', 'Pre-flight checks, before any pod restarts (each Secret the pods will mount):');
    for (const s of step.secrets) {
      out.push(
        `  Secret ${s.secretName} (${s.alias}): chains to the CA in its ca.crt (not expired, nor before the certificate is renewed), matches its tls.key, valid now` +
          `${s.renewBeforeMs !== undefined ? ' and for longer than its renewBefore' : ''}, extended key usage ${s.usages.join(', ')}` +
          `${s.names.length ? `, covers ${s.names.join(', ')}` : ''}`,
      );
    }
  }
  if (plan.steps.some((s) => s.step.kind === 'waitReady')) out.push('', `First the run waits until ${db} is Ready (spec.apply: IfReady).`);
  out.push('', `When it is done: ${plan.done.message}`);
  return `${out.join('\n')}\n`;
}
