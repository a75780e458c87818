// ProxySQL's configuration as a Reconfigure request changes it: the columns of its mysql_users and
// mysql_query_rules tables (ProxySQL's documented table definitions), the variables it lets one change,
// and the request's shape as KubeDB's ProxySQLOpsRequest writes it (variables without their `mysql-` /
// `admin-` prefix, users without passwords: ProxySQL gets those from the backend MySQL).
import { adminVariables, mysqlVariables, type VariableType } from './proxysql-variables.ts';
import type { Admission as Verdict } from './validation.ts';

export type ReqType = 'add' | 'update' | 'delete';
export type Row = Record<string, string | number>;

export interface ProxySQLConfiguration {
  mysqlUsers?: { users?: Row[]; reqType?: ReqType };
  mysqlQueryRules?: { rules?: Row[]; reqType?: ReqType };
  mysqlVariables?: Record<string, string | number | boolean>;
  adminVariables?: Record<string, string | number | boolean>;
}

type Column = { type: 'int'; min?: number; max?: number } | { type: 'text' };
const int = (min?: number, max?: number): Column => ({ type: 'int', min, max });
const flag = int(0, 1);
const text: Column = { type: 'text' };

/** mysql_users' columns but `username` (the key) and `password` (taken from the backend). */
export const userColumns: Record<string, Column> = {
  active: flag,
  use_ssl: flag,
  default_hostgroup: int(0),
  default_schema: text,
  schema_locked: flag,
  transaction_persistent: flag,
  fast_forward: flag,
  backend: flag,
  frontend: flag,
  max_connections: int(0),
  attributes: text,
  comment: text,
};

/** mysql_query_rules' columns but `rule_id` (the key). */
export const ruleColumns: Record<string, Column> = {
  active: flag,
  username: text,
  schemaname: text,
  flagIN: int(0),
  client_addr: text,
  proxy_addr: text,
  proxy_port: int(0, 65535),
  digest: text,
  match_digest: text,
  match_pattern: text,
  negate_match_pattern: flag,
  re_modifiers: text,
  flagOUT: int(0),
  replace_pattern: text,
  destination_hostgroup: int(0),
  cache_ttl: int(1),
  cache_empty_result: flag,
  cache_timeout: int(0),
  reconnect: flag,
  timeout: int(0),
  retries: int(0, 1000),
  delay: int(0),
  next_query_flagIN: int(0),
  mirror_flagOUT: int(0),
  mirror_hostgroup: int(0),
  error_msg: text,
  OK_msg: text,
  sticky_conn: flag,
  multiplex: int(0, 2),
  gtid_from_hostgroup: int(0),
  log: flag,
  apply: flag,
  attributes: text,
  comment: text,
};

/** What ProxySQL does not let one change through its admin tables (KubeDB's ProxySQL reconfigure guide). */
export const unchangeable = {
  mysql: ['interfaces', 'monitor_username', 'monitor_password', 'ssl_p2s_ca', 'ssl_p2s_cert', 'ssl_p2s_key', 'ssl_p2s_capath', 'ssl_p2s_cipher', 'ssl_p2s_crl', 'ssl_p2s_crlpath'],
  admin: ['admin_credentials', 'mysql_ifaces'],
};

const ok: Verdict = { ok: true };
const reject = (field: string, message: string): Verdict => ({ ok: false, field, message: message.startsWith(field) ? message : `${field}: ${message}` });

const isInteger = (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));

function checkValue(field: string, column: Column, value: unknown): Verdict {
  if (column.type === 'text') return typeof value === 'string' || typeof value === 'number' ? ok : reject(field, `must be a string`);
  if (!isInteger(value)) return reject(field, `${JSON.stringify(value)} is not a whole number`);
  const n = Number(value);
  if ((column.min !== undefined && n < column.min) || (column.max !== undefined && n > column.max)) {
    return reject(field, `${n} is out of range (${column.min ?? '…'}–${column.max ?? '…'})`);
  }
  return ok;
}

function checkRows(field: string, rows: unknown, key: 'username' | 'rule_id', columns: Record<string, Column>, reqType: unknown): Verdict {
  if (!['add', 'update', 'delete'].includes(reqType as string)) return reject(`${field}.reqType`, `${JSON.stringify(reqType)} is invalid; use add, update or delete`);
  const list = field.endsWith('mysqlUsers') ? 'users' : 'rules';
  if (!Array.isArray(rows) || rows.length === 0) return reject(`${field}.${list}`, `give at least one entry`);
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const f = `${field}.${list}[${i}]`;
    if (!row || typeof row !== 'object') return reject(f, 'must be an object');
    const id = (row as Row)[key];
    if (key === 'username' ? typeof id !== 'string' || id === '' : !isInteger(id) || Number(id) < 1) {
      return reject(`${f}.${key}`, key === 'username' ? 'is required: the user to add, update or delete' : `"rule_id" missing or not a whole number ≥ 1 in ${f}`);
    }
    if (seen.has(String(id))) return reject(`${f}.${key}`, `${JSON.stringify(id)} is listed twice`);
    seen.add(String(id));
    for (const [column, value] of Object.entries(row as Row)) {
      if (column === key) continue;
      if (column === 'password') return reject(`${f}.password`, 'is not given here: ProxySQL gets each user’s password from the backend MySQL');
      const def = columns[column];
      if (!def) return reject(`${f}.${column}`, `is not a column of ${key === 'username' ? 'mysql_users' : 'mysql_query_rules'}; use one of ${Object.keys(columns).join(', ')}`);
      const v = checkValue(`${f}.${column}`, def, value);
      if (!v.ok) return v;
    }
    if (reqType === 'delete' && Object.keys(row as Row).length > 1) return reject(f, `a delete names only the ${key}`);
  }
  return ok;
}

function checkVariable(field: string, type: VariableType, value: unknown): Verdict {
  if (type.type === 'boolean') return ['true', 'false', true, false, 0, 1, '0', '1'].includes(value as string) ? ok : reject(field, `${JSON.stringify(value)} is not a boolean (true or false)`);
  if (type.type === 'integer') return checkValue(field, { type: 'int', min: type.min, max: type.max }, value);
  return typeof value === 'string' || typeof value === 'number' ? ok : reject(field, 'must be a string');
}

function checkVariables(field: string, prefix: 'mysql' | 'admin', vars: unknown): Verdict {
  if (vars === undefined) return ok;
  if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return reject(field, `must be a map of ${prefix} variable names (without "${prefix}-") to values`);
  const known = prefix === 'mysql' ? mysqlVariables : adminVariables;
  for (const [name, value] of Object.entries(vars)) {
    const f = `${field}.${name}`;
    if (name.startsWith(`${prefix}-`)) return reject(f, `write it without its prefix: ${name.slice(prefix.length + 1)}`);
    if (unchangeable[prefix].includes(name)) return reject(f, `${prefix}-${name} cannot be changed by a Reconfigure`);
    const type = known[name];
    if (!type) return reject(f, `${prefix}-${name} is not a ProxySQL variable`);
    const v = checkVariable(f, type, value);
    if (!v.ok) return v;
  }
  return ok;
}

/** `spec.configuration` of a ProxySQL Reconfigure, as far as it can be checked without the ProxySQL at hand. */
export function validateProxySQLConfiguration(c: unknown): Verdict {
  const field = 'spec.configuration';
  if (!c || typeof c !== 'object') return reject(field, 'is required when spec.type is Reconfigure: give mysqlUsers, mysqlQueryRules, mysqlVariables or adminVariables');
  const conf = c as ProxySQLConfiguration;
  const parts = ['mysqlUsers', 'mysqlQueryRules', 'mysqlVariables', 'adminVariables'].filter((k) => (conf as Record<string, unknown>)[k] !== undefined);
  if (!parts.length) return reject(field, 'asks for nothing: give mysqlUsers, mysqlQueryRules, mysqlVariables or adminVariables');
  for (const check of [
    () => (conf.mysqlUsers ? checkRows(`${field}.mysqlUsers`, conf.mysqlUsers.users, 'username', userColumns, conf.mysqlUsers.reqType) : ok),
    () => (conf.mysqlQueryRules ? checkRows(`${field}.mysqlQueryRules`, conf.mysqlQueryRules.rules, 'rule_id', ruleColumns, conf.mysqlQueryRules.reqType) : ok),
    () => checkVariables(`${field}.mysqlVariables`, 'mysql', conf.mysqlVariables),
    () => checkVariables(`${field}.adminVariables`, 'admin', conf.adminVariables),
  ]) {
    const v = check();
    if (!v.ok) return v;
  }
  return ok;
}

/** A variable's value as ProxySQL shows it once loaded (booleans as true/false, numbers as digits). */
export function normalizedVariable(prefix: 'mysql' | 'admin', name: string, value: string | number | boolean): string {
  const type = (prefix === 'mysql' ? mysqlVariables : adminVariables)[name];
  if (type?.type === 'boolean') return ['true', true, 1, '1'].includes(value as string) ? 'true' : 'false';
  return String(value);
}
