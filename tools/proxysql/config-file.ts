// proxysql.cnf into the memory tables, as ProxySQL's lib/ProxySQL_Config.cpp does it
// (Read_Global_Variables_from_configfile, Read_MySQL_Users_from_configfile, ..._Query_Rules_...,
// ..._Servers_...): every entry becomes an INSERT OR REPLACE into main; an entry without its mandatory
// key (username, rule_id, hostname/address, hostgroup/hostgroup_id) is skipped with an error in the log.
// Values are looked up with libconfig's typed lookups: a key of the wrong type counts as absent and the
// column gets ProxySQL's config-file default.
import { readFileSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { parseLibconfig, type Group, type Value } from './libconfig.ts';
import { error } from './log.ts';

export type ConfigSection = 'mysql_users' | 'mysql_query_rules' | 'mysql_servers' | 'mysql_variables' | 'admin_variables';

export function readConfigFile(file: string): Group {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseLibconfig(text);
  } catch (err) {
    throw new Error(`Parse error in config file ${file}: ${(err as Error).message}`);
  }
}

/** The top-level datadir setting, which ProxySQL reads from the file on every start. */
export function datadirOf(root: Group): string | undefined {
  return str(root, 'datadir');
}

export function applyConfig(db: DatabaseSync, root: Group, sections: readonly ConfigSection[]): void {
  for (const section of sections) {
    if (section === 'admin_variables' || section === 'mysql_variables') variables(db, root, section.slice(0, 5));
    else for (const entry of groups(root[section])) rowWriters[section](db, entry);
  }
}

function variables(db: DatabaseSync, root: Group, prefix: string): void {
  const group = root[`${prefix}_variables`];
  if (!isGroup(group)) return;
  const insert = db.prepare('INSERT OR REPLACE INTO main.global_variables VALUES (?, ?)');
  for (const [name, value] of Object.entries(group)) {
    // Read_Global_Variables_from_configfile: a bool as true/false, an int in decimal, else the string
    // (a value of another type, such as a float, becomes "").
    const text = typeof value === 'boolean' ? String(value) : int(group, name) !== undefined ? String(int(group, name)) : (str(group, name) ?? '');
    insert.run(`${prefix}-${name}`, text);
  }
}

const rowWriters: Record<'mysql_users' | 'mysql_query_rules' | 'mysql_servers', (db: DatabaseSync, g: Group) => void> = {
  mysql_users(db, u) {
    const username = str(u, 'username');
    if (username === undefined) return error('Admin: detected a mysql_users in config file without a mandatory username');
    db.prepare(
      'INSERT OR REPLACE INTO main.mysql_users (username, password, active, use_ssl, default_hostgroup, default_schema, schema_locked, transaction_persistent, fast_forward, max_connections, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      username,
      str(u, 'password') ?? '',
      int(u, 'active') ?? 1,
      int(u, 'use_ssl') ?? 0,
      int(u, 'default_hostgroup') ?? 0,
      str(u, 'default_schema') ?? '',
      int(u, 'schema_locked') ?? 0,
      int(u, 'transaction_persistent') ?? 1,
      int(u, 'fast_forward') ?? 0,
      int(u, 'max_connections') ?? 10000,
      str(u, 'comment') ?? '',
    );
  },
  mysql_query_rules(db, r) {
    const ruleId = int(r, 'rule_id');
    if (ruleId === undefined) return error('Admin: detected a mysql_query_rules in config file without a mandatory rule_id');
    // Integers default to -1 in ProxySQL's reader and are written as NULL when negative.
    const opt = (name: string, dflt = -1) => {
      const v = int(r, name) ?? dflt;
      return v < 0 ? null : v;
    };
    const columns: Record<string, SQLInputValue> = {
      rule_id: ruleId,
      active: int(r, 'active') ?? 1,
      username: str(r, 'username') ?? null,
      schemaname: str(r, 'schemaname') ?? null,
      flagIN: opt('flagIN', 0),
      client_addr: str(r, 'client_addr') ?? null,
      proxy_addr: str(r, 'proxy_addr') ?? null,
      proxy_port: opt('proxy_port'),
      digest: str(r, 'digest') ?? null,
      match_digest: str(r, 'match_digest') ?? null,
      match_pattern: str(r, 'match_pattern') ?? null,
      negate_match_pattern: (int(r, 'negate_match_pattern') ?? 0) === 0 ? 0 : 1,
      re_modifiers: str(r, 're_modifiers') ?? 'CASELESS',
      flagOUT: opt('flagOUT'),
      replace_pattern: str(r, 'replace_pattern') ?? null,
      destination_hostgroup: opt('destination_hostgroup'),
      cache_ttl: opt('cache_ttl'),
      cache_empty_result: opt('cache_empty_result'),
      cache_timeout: opt('cache_timeout'),
      reconnect: opt('reconnect'),
      timeout: opt('timeout'),
      retries: opt('retries'),
      delay: opt('delay'),
      next_query_flagIN: opt('next_query_flagIN'),
      mirror_flagOUT: opt('mirror_flagOUT'),
      mirror_hostgroup: opt('mirror_hostgroup'),
      error_msg: str(r, 'error_msg') ?? null,
      OK_msg: str(r, 'OK_msg') ?? null,
      sticky_conn: opt('sticky_conn'),
      multiplex: opt('multiplex'),
      gtid_from_hostgroup: opt('gtid_from_hostgroup'),
      log: opt('log'),
      apply: (int(r, 'apply') ?? 0) === 0 ? 0 : 1,
      comment: str(r, 'comment') ?? null,
    };
    const names = Object.keys(columns);
    db.prepare(`INSERT OR REPLACE INTO main.mysql_query_rules (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(columns));
  },
  mysql_servers(db, s) {
    const hostname = str(s, 'address') ?? str(s, 'hostname');
    if (hostname === undefined) return error('Admin: detected a mysql_servers in config file without a mandatory hostname');
    const hostgroup = int(s, 'hostgroup') ?? int(s, 'hostgroup_id');
    if (hostgroup === undefined) return error('Admin: detected a mysql_servers in config file without a mandatory hostgroup_id');
    const status = str(s, 'status') ?? 'ONLINE';
    db.prepare(
      'INSERT OR REPLACE INTO main.mysql_servers (hostname, port, gtid_port, hostgroup_id, compression, weight, status, max_connections, max_replication_lag, use_ssl, max_latency_ms, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      hostname,
      int(s, 'port') ?? 3306,
      int(s, 'gtid_port') ?? 0,
      hostgroup,
      int(s, 'compression') ?? 0,
      int(s, 'weight') ?? 1,
      /^(ONLINE|SHUNNED|OFFLINE_SOFT|OFFLINE_HARD)$/i.test(status) ? status : 'ONLINE',
      int(s, 'max_connections') ?? 1000,
      int(s, 'max_replication_lag') ?? 0,
      int(s, 'use_ssl') ?? 0,
      int(s, 'max_latency_ms') ?? 0,
      str(s, 'comment') ?? '',
    );
  },
};

function isGroup(v: Value | undefined): v is Group {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function groups(v: Value | undefined): Group[] {
  return Array.isArray(v) ? v.filter(isGroup) : [];
}

/** libconfig's lookupValue(name, int&): only an integer setting that fits in an int. */
function int(g: Group, name: string): number | undefined {
  const v = g[name];
  return typeof v === 'bigint' && v >= -2147483648n && v <= 2147483647n ? Number(v) : undefined;
}

/** libconfig's lookupValue(name, std::string&): only a string setting. */
function str(g: Group, name: string): string | undefined {
  const v = g[name];
  return typeof v === 'string' ? v : undefined;
}
