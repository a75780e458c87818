// The plan of a Reconfigure of MySQL, PerconaXtraDB or Pgpool: the database's custom configuration replaced
// (configSecret), merged (applyConfig, into a new Secret the database owns) or removed (removeCustomConfig),
// while the database is paused: the Secret written, Pgpool's pgpool.conf rendered, the pod template mounting
// it with a hash of what the pods must load, the database spec naming it; then the pods restart in the kind's
// order (unless `restart: false`) and the database is resumed. Everything before the first restart is put back
// on failure, as for ReconfigureTLS.
import { isDeepStrictEqual } from 'node:util';
import { configHash, configHashOf } from './config-hash.ts';
import {
  appliedConfigSecretName,
  checkConfigFiles,
  customConfigSecretName,
  customConfigSpecPatch,
  mountedCustomConfig,
  nextConfigFiles,
  type ConfigFiles,
  type CustomConfigRequest,
} from './custom-config.ts';
import { pgpoolConfKey, poolHba, poolHbaKey, withPgpoolTLS } from './pgpool-config.ts';
import { renderPgpoolConf } from './pgpool-settings.ts';
import type { PlanFacts } from './planner.ts';
import type { Plan, PlannedStep, PlanOutcome, StepOf } from './plan.ts';
import type { DatabaseProfile } from './profiles.ts';
import { restartPlan } from './restart-plan.ts';
import { tlsLayout } from './tls-layout.ts';

/** What a Reconfigure reads besides the database: the files of its current custom configuration and of the Secret the request names. */
export interface CustomConfigFacts {
  /** undefined: the database names no custom configuration; null: it names a Secret that does not exist. */
  current?: ConfigFiles | null;
  /** The files of spec.configuration.configSecret (null: no such Secret; undefined: not asked for). */
  named?: ConfigFiles | null;
}

const reject = (field: string, message: string): PlanOutcome => ({ ok: false, field, message: message.startsWith(field) ? message : `${field}: ${message}` });
const same = (a: ConfigFiles | undefined, b: ConfigFiles | undefined) => isDeepStrictEqual(a ?? {}, b ?? {});

export function planReconfigure(p: DatabaseProfile, facts: PlanFacts): PlanOutcome {
  const { ops, database: db } = facts;
  const request = ops.spec!.configuration as CustomConfigRequest;
  const dbName = `${p.kind} ${db.metadata.namespace}/${db.metadata.name}`;
  const ns = db.metadata.namespace!;
  const given = facts.customConfig ?? {};
  const currentName = customConfigSecretName(db) ?? null;
  if (currentName && given.current === null && !request.removeCustomConfig && !request.configSecret) {
    return reject('spec.configuration.applyConfig', `${dbName} names the custom configuration Secret ${ns}/${currentName}, which does not exist: create it, or give configSecret or removeCustomConfig`);
  }
  if (request.configSecret) {
    const field = 'spec.configuration.configSecret.name';
    if (given.named === null || given.named === undefined) return reject(field, `there is no Secret ${ns}/${request.configSecret.name}: create it first (kubectl create secret generic ${request.configSecret.name} --from-file=…)`);
    if (p.customConfig?.format === 'pgpool' && given.named[pgpoolConfKey] === undefined) return reject(field, `Secret ${ns}/${request.configSecret.name} has no key ${pgpoolConfKey}: Pgpool reads its custom configuration from that key`);
    const check = checkConfigFiles(p, given.named, (file) => `Secret ${ns}/${request.configSecret!.name} key ${file}`);
    if (!check.ok) return reject(field, check.message);
  }
  if (request.removeCustomConfig && !currentName && !request.applyConfig) return reject('spec.configuration.removeCustomConfig', `${dbName} has no custom configuration to remove`);
  if (given.current && !request.removeCustomConfig && !request.configSecret) {
    // The files an applyConfig merges into must be ones the server reads.
    const check = checkConfigFiles(p, given.current, (file) => `the database's custom configuration, Secret ${ns}/${currentName} key ${file}`);
    if (!check.ok) return reject('spec.configuration.applyConfig', `${check.message}; fix it, or give configSecret or removeCustomConfig`);
  }

  const current = given.current ?? undefined;
  const files = nextConfigFiles(p, request, current, given.named ?? undefined);
  const merged = request.applyConfig ? appliedConfigSecretName(db.metadata.name!, files!) : undefined;
  const nextName = request.removeCustomConfig && !request.applyConfig ? null : merged ?? request.configSecret?.name ?? currentName;
  // A merge that comes out as a Secret the database already names (the same files again) writes nothing: that
  // Secret is not this run's to create, nor to delete on failure.
  const applied = merged !== undefined && merged !== currentName ? merged : undefined;
  const restart = String(request.restart ?? 'auto');

  // What the pods must load, as a hash in their template: the custom files (MySQL, PerconaXtraDB) or the whole
  // rendered configuration (Pgpool); `restart: true` makes it differ, so every pod restarts.
  const layout = tlsLayout(p, db);
  const renderedSecret = p.renderedConfig?.secretName(db.metadata.name!);
  let rendered: ConfigFiles | undefined;
  if (p.customConfig?.format === 'pgpool') {
    if (!facts.renderedConfig) return reject(`spec.${p.opsRequest.targetField}`, `${dbName} has no rendered configuration (Secret ${renderedSecret}) yet: wait until it is provisioned`);
    const conf = withPgpoolTLS(p, renderPgpoolConf(p, db, db.spec?.replicas ?? p.defaultReplicas(db.spec ?? {}), files?.[pgpoolConfKey]), layout);
    rendered = { ...facts.renderedConfig, [pgpoolConfKey]: conf, [poolHbaKey]: poolHba(layout) };
  }
  const loaded = rendered ?? files ?? {};
  const hashNow = configHashOf(facts.workload?.template) ?? null;
  const plainHash = Object.keys(loaded).length ? configHash(loaded) : null;
  const hash = restart === 'true' ? configHash({ ...loaded, 'opsflow.dev/restart': ops.metadata.uid ?? ops.metadata.name! }) : plainHash;

  const mountedNow = p.customConfig?.format === 'cnf' ? (mountedCustomConfig(p, facts.workload?.template) ?? null) : null;
  const mountNext = p.customConfig?.format === 'cnf' ? nextName : null;
  const templateChanges = mountedNow !== mountNext || hashNow !== hash;
  const configChanges = rendered !== undefined && !same(rendered, facts.renderedConfig);
  const specChanges = (currentName ?? null) !== nextName;
  // Pods a request that failed midway did not reach: applying it again restarts just those.
  const behind = facts.workload?.updateRevision ? facts.pods.filter((pod) => pod.revision !== facts.workload!.updateRevision) : [];
  if (!templateChanges && !configChanges && !specChanges && !behind.length) {
    return reject('spec.configuration', `${dbName} already runs exactly this configuration on every pod; nothing to change (restart: true restarts the pods anyway)`);
  }
  if (!facts.workload) return reject(`spec.${p.opsRequest.targetField}`, `${dbName} has no StatefulSet or PetSet yet: wait until it is provisioned, then apply the request again`);

  const workload = { kind: facts.workload.kind, name: facts.workload.name };
  const steps: PlannedStep[] = [];
  if ((ops.spec?.apply ?? 'IfReady') === 'IfReady') steps.push({ step: { kind: 'waitReady', condition: 'DatabaseReady', label: 'Wait for the database to be Ready' } });
  steps.push({ step: { kind: 'pause', condition: 'DatabasePauseSucceeded', label: 'Pause the database' }, undo: { kind: 'resume', condition: 'ResumeDatabase', label: 'Resume the database' } });
  if (applied) {
    const base = request.removeCustomConfig ? null : request.configSecret?.name ?? currentName;
    steps.push({
      step: { kind: 'createConfigSecret', condition: 'PrepareCustomConfig', label: `Write the merged configuration to Secret ${applied}`, secretName: applied, base, files: Object.keys(request.applyConfig!), hash: configHash(files!) },
      undo: { kind: 'deleteConfigSecret', condition: 'PrepareCustomConfig', label: `Delete Secret ${applied}`, secretName: applied, hash: configHash(files!) },
    });
  }
  if (configChanges) {
    const render = (custom: string | null, label: string, h: string | null): StepOf<'renderPgpoolConfig'> => ({ kind: 'renderPgpoolConfig', condition: 'UpdateConfigSecret', label, secretName: renderedSecret!, custom, tls: layout, hash: h });
    // Put back from the Secret the database named, or from the defaults if that Secret was already gone.
    const before = given.current === null ? null : currentName;
    steps.push({ step: render(nextName, `Render ${pgpoolConfKey} in Secret ${renderedSecret}`, configHash(rendered!)), undo: render(before, `Put ${pgpoolConfKey} in Secret ${renderedSecret} back`, null) });
  }
  if (templateChanges) {
    const condition = workload.kind === 'PetSet' ? 'UpdatePetSets' : 'UpdateStatefulSets';
    const set = (secretName: string | null, h: string | null, label: string): StepOf<'setCustomConfig'> => ({ kind: 'setCustomConfig', condition, label, workload, secretName, hash: h });
    steps.push({ step: set(mountNext, hash, `Update the ${workload.kind}`), undo: set(mountedNow, hashNow, `Put the ${workload.kind} back`) });
  }
  if (specChanges) {
    steps.push({
      step: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Update the database spec', patch: customConfigSpecPatch(p, db, nextName) },
      undo: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Put the database spec back', patch: customConfigSpecPatch(p, db, currentName) },
    });
  }
  if (restart !== 'false') {
    steps.push({
      step: {
        kind: 'restartPods',
        condition: 'RestartPods',
        label: 'Restart the pods',
        certificates: false,
        expected: restartPlan(p, facts.pods).map((s) => ({ pod: s.pod, role: facts.pods.find((x) => x.name === s.pod)?.role })),
        verify: { protocol: p.container.protocol, port: p.container.port, ...(layout.enabled ? { secretName: layout.secrets.server } : {}) },
      },
    });
  }
  steps.push({ step: { kind: 'resume', condition: 'ResumeDatabase', label: 'Resume the database' } });

  const what = request.removeCustomConfig && !request.applyConfig
    ? 'back to the default configuration'
    : applied
      ? `${Object.keys(request.applyConfig!).join(', ')} merged into Secret ${applied}`
      : `the configuration of Secret ${request.configSecret?.name ?? currentName}`;
  const plan: Plan = {
    database: { kind: p.kind, namespace: ns, name: db.metadata.name! },
    type: 'Reconfigure',
    summary: `reconfigure (${what})`,
    steps,
    done: { message: `${dbName}: ${what}, ${restart === 'false' ? 'the pods take it when they next restart (restart: false)' : 'every pod restarted on it'}` },
  };
  return { ok: true, plan };
}
