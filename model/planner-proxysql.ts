// The plan of a ProxySQL Reconfigure: no pause, no restart. Each part of the request is applied to every
// running pod through its admin interface, in memory and loaded to runtime but not yet saved to disk, so a
// pod that fails midway lets the others go back to what their disk still holds; the ProxySQL object's
// declarative configuration records the change; only then is it saved to disk on every pod.
import type { PlanFacts } from './planner.ts';
import type { Plan, PlannedStep, PlanOutcome, ProxySQLPart, ProxySQLTable } from './plan.ts';
import type { DatabaseProfile } from './profiles.ts';
import { normalizedVariable, type ProxySQLConfiguration, type Row } from './proxysql-config.ts';
import type { Database } from './types.ts';

/** What the planner needs to know of each running ProxySQL pod and of the backend MySQL. */
export interface ProxySQLFacts {
  pods: { name: string; users: Row[]; rules: Row[] }[];
  /** The users the backend MySQL has (names only: their passwords stay there). */
  backendUsers: string[];
  backend: string;
}

const condition: Record<ProxySQLTable, string> = {
  mysqlUsers: 'ReconfigureMySQLUsers',
  mysqlQueryRules: 'ReconfigureMySQLQueryRules',
  mysqlVariables: 'ReconfigureMySQLVariables',
  adminVariables: 'ReconfigureAdminVariables',
};
const label: Record<ProxySQLTable, string> = {
  mysqlUsers: 'mysql_users',
  mysqlQueryRules: 'mysql_query_rules',
  mysqlVariables: 'MySQL variables',
  adminVariables: 'admin variables',
};

const reject = (field: string, message: string): PlanOutcome => ({ ok: false, field, message: `${field}: ${message}` });
const byOrdinal = (a: { name: string }, b: { name: string }) => Number(/-(\d+)$/.exec(a.name)?.[1] ?? 0) - Number(/-(\d+)$/.exec(b.name)?.[1] ?? 0);

/** The parts of the request, as rows and values the admin interface takes. */
function partsOf(c: ProxySQLConfiguration): ProxySQLPart[] {
  const parts: ProxySQLPart[] = [];
  if (c.mysqlUsers) parts.push({ table: 'mysqlUsers', reqType: c.mysqlUsers.reqType!, rows: c.mysqlUsers.users! });
  if (c.mysqlQueryRules) parts.push({ table: 'mysqlQueryRules', reqType: c.mysqlQueryRules.reqType!, rows: c.mysqlQueryRules.rules!.map((r) => ({ ...r, rule_id: Number(r.rule_id) })) });
  for (const table of ['mysqlVariables', 'adminVariables'] as const) {
    const vars = c[table];
    if (vars) parts.push({ table, values: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, normalizedVariable(table === 'mysqlVariables' ? 'mysql' : 'admin', k, v)])) });
  }
  return parts;
}

/** Why a part cannot be applied to the pods as they are (checked on every pod, before any is changed). */
function conflict(part: ProxySQLPart, facts: ProxySQLFacts): PlanOutcome | undefined {
  if ('values' in part) return undefined;
  const users = part.table === 'mysqlUsers';
  const key = users ? 'username' : 'rule_id';
  const list = users ? 'users' : 'rules';
  for (const [i, row] of part.rows.entries()) {
    const field = `spec.configuration.${part.table}.${list}[${i}].${key}`;
    if (users && part.reqType !== 'delete' && !facts.backendUsers.includes(String(row.username))) {
      return reject(field, `the backend MySQL ${facts.backend} has no user "${row.username}", so ProxySQL cannot take its password from there; create the user on the backend first`);
    }
    for (const pod of facts.pods) {
      const present = (users ? pod.users : pod.rules).some((r) => String(r[key]) === String(row[key]));
      if (part.reqType === 'add' && present) return reject(field, `${key} ${JSON.stringify(row[key])} is already in ${label[part.table]} of ${pod.name}; use reqType update to change it`);
      if (part.reqType !== 'add' && !present) return reject(field, `${key} ${JSON.stringify(row[key])} is not in ${label[part.table]} of ${pod.name}, so it cannot be ${part.reqType === 'update' ? 'updated' : 'deleted'}`);
    }
  }
  return undefined;
}

/** The declarative configuration with the parts applied: users by username, rules by rule_id, variables by name. */
function declarative(current: Record<string, unknown> | undefined, parts: ProxySQLPart[]): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(current ?? {});
  for (const part of parts) {
    if ('values' in part) {
      next[part.table] = { ...((next[part.table] as object) ?? {}), ...part.values };
      continue;
    }
    const key = part.table === 'mysqlUsers' ? 'username' : 'rule_id';
    let rows = [...((next[part.table] as Row[]) ?? [])];
    for (const row of part.rows) {
      const i = rows.findIndex((r) => String(r[key]) === String(row[key]));
      if (part.reqType === 'delete') rows = rows.filter((r) => String(r[key]) !== String(row[key]));
      else if (i >= 0) rows[i] = { ...rows[i], ...row };
      else rows.push(row);
    }
    next[part.table] = rows;
  }
  return next;
}

/** Where the ProxySQL object keeps its declarative configuration: spec.initConfig (older objects) or spec.configuration.init.inline. */
function specPatchFor(db: Database, parts: ProxySQLPart[]): { patch: Record<string, unknown>; undo: Record<string, unknown> } {
  const spec = db.spec ?? {};
  if (spec.initConfig !== undefined) {
    return { patch: { initConfig: declarative(spec.initConfig as Record<string, unknown>, parts) }, undo: { initConfig: spec.initConfig } };
  }
  const configuration = (spec.configuration ?? {}) as { init?: { inline?: Record<string, unknown> } };
  return {
    patch: { configuration: { ...configuration, init: { ...configuration.init, inline: declarative(configuration.init?.inline, parts) } } },
    undo: { configuration: spec.configuration ?? null },
  };
}

export function planReconfigureProxySQL(p: DatabaseProfile, facts: PlanFacts): PlanOutcome {
  const { ops, database: db } = facts;
  const name = `${p.kind} ${db.metadata.namespace}/${db.metadata.name}`;
  const proxysql = facts.proxysql;
  if (!proxysql || proxysql.pods.length === 0) return reject('spec.proxyRef', `${name} has no running pod to reconfigure`);
  const parts = partsOf(ops.spec!.configuration as ProxySQLConfiguration);
  for (const part of parts) {
    const why = conflict(part, proxysql);
    if (why) return why;
  }
  const pods = [...proxysql.pods].sort(byOrdinal).map((x) => x.name);
  const steps: PlannedStep[] = [];
  if ((ops.spec?.apply ?? 'IfReady') === 'IfReady') steps.push({ step: { kind: 'waitReady', condition: 'DatabaseReady', label: 'Wait for the ProxySQL to be Ready' } });
  for (const pod of pods) {
    for (const part of parts) {
      steps.push({
        step: { kind: 'configureProxySQL', condition: `${condition[part.table]}--${pod}`, label: `Change ${label[part.table]} of ${pod}`, pod, part },
        undo: { kind: 'revertProxySQL', condition: `${condition[part.table]}--${pod}`, label: `Put ${label[part.table]} of ${pod} back`, pod, table: part.table },
      });
    }
  }
  const { patch, undo } = specPatchFor(db, parts);
  steps.push({
    step: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Record the configuration in the ProxySQL object', patch },
    undo: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Put the ProxySQL object back', patch: undo },
  });
  const tables = parts.map((x) => x.table);
  steps.push({ step: { kind: 'saveProxySQL', condition: 'SaveProxySQLConfiguration', label: 'Save the configuration to disk on every pod', pods, tables } });
  const what = parts.map((x) => ('reqType' in x ? `${x.reqType} ${x.rows.length} ${x.table === 'mysqlUsers' ? 'user(s)' : 'query rule(s)'}` : `set ${Object.keys(x.values).length} ${label[x.table]}`)).join(', ');
  const plan: Plan = {
    database: { kind: p.kind, namespace: db.metadata.namespace!, name: db.metadata.name! },
    type: 'Reconfigure',
    summary: `reconfigure ProxySQL: ${what}`,
    steps,
    done: { message: `${name}: ${what}, on every pod (${pods.join(', ')}) and in its configuration` },
  };
  return { ok: true, plan };
}
