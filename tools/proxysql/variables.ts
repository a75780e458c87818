// The global variables the stand-in knows, with ProxySQL's defaults and the checks ProxySQL's
// set_variable() applies when a value is loaded to runtime. Sources, all in sysown/proxysql:
//   lib/MySQL_Thread.cpp  MySQL_Threads_Handler(): defaults; set_variable(): integers are read with
//                         atoi() and must fall in the range of VariablesPointers_int; booleans accept
//                         true/false/1/0 in any case; monitor_username must not be empty; interfaces
//                         cannot change once set; server_version must not be empty (5.1.30 becomes
//                         5.5.30); ssl_p2s_* take any value, "" or "(null)" meaning none. get_variable()
//                         prints booleans as true/false and integers with %d.
//   lib/ProxySQL_Admin.cpp ProxySQL_Admin(): admin defaults; set_variable(): admin_credentials and
//                         mysql_ifaces must not be empty; refresh_interval must be > 100 and < 100000.
// The defaults are those of ProxySQL 2.5 (2.6.0 changed mysql-have_ssl to true and
// mysql-server_version to 8.0.11; the brief and KubeDB's guides expect have_ssl false unless TLS is on).
// A variable not listed here is, to the stand-in, one ProxySQL does not have: LOAD ... TO RUNTIME
// deletes it from memory, and SET refuses it, as ProxySQL does with unknown names.

type Check =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'string'; nonEmpty: boolean }
  | { kind: 'optional-path' } // "" / "(null)" = none, shown as "(null)" (ProxySQL prints the NULL with %s)
  | { kind: 'fixed' }; // accepted only while unset or unchanged (mysql-interfaces)

interface Spec {
  default: string;
  check: Check;
}

const bool = (d: boolean): Spec => ({ default: String(d), check: { kind: 'bool' } });
const int = (d: number, min: number, max: number): Spec => ({ default: String(d), check: { kind: 'int', min, max } });
const str = (d: string, nonEmpty: boolean): Spec => ({ default: d, check: { kind: 'string', nonEmpty } });
const path = (): Spec => ({ default: '(null)', check: { kind: 'optional-path' } });
const DAY_MS = 24 * 3600 * 1000;

export const knownVariables: Record<string, Spec> = {
  'mysql-have_ssl': bool(false),
  'mysql-interfaces': { default: '0.0.0.0:6033', check: { kind: 'fixed' } },
  'mysql-server_version': str('5.5.30', true),
  'mysql-max_connections': int(10000, 1, 1000 * 1000),
  'mysql-max_transaction_time': int(4 * 3600 * 1000, 1000, 20 * DAY_MS),
  'mysql-max_stmts_per_connection': int(20, 1, 1024),
  'mysql-monitor_username': str('monitor', true),
  'mysql-monitor_password': str('monitor', false),
  'mysql-ssl_p2s_ca': path(),
  'mysql-ssl_p2s_cert': path(),
  'mysql-ssl_p2s_key': path(),
  'admin-admin_credentials': str('admin:admin', true),
  'admin-mysql_ifaces': str('0.0.0.0:6032', true),
  'admin-refresh_interval': int(2000, 101, 99999),
  // The range ProxySQL enforces for cluster_check_interval_ms could not be read from its source here;
  // this one (10 ms .. 300 s) is an assumption, see the README.
  'admin-cluster_check_interval_ms': int(1000, 10, 300000),
  'admin-cluster_username': str('', false),
  'admin-cluster_password': str('', false),
};

export type Outcome = { ok: true; value: string } | { ok: false };

/** What ProxySQL's set_variable() makes of `value` for `name`, given the current runtime value. */
export function setVariable(name: string, value: string, current: string | undefined): Outcome {
  const spec = knownVariables[name];
  if (!spec) return { ok: false };
  const check = spec.check;
  switch (check.kind) {
    case 'bool':
      if (/^(true|1)$/i.test(value)) return { ok: true, value: 'true' };
      if (/^(false|0)$/i.test(value)) return { ok: true, value: 'false' };
      return { ok: false };
    case 'int': {
      const n = atoi(value);
      return n >= check.min && n <= check.max ? { ok: true, value: String(n) } : { ok: false };
    }
    case 'string':
      if (check.nonEmpty && value === '') return { ok: false };
      if (name === 'mysql-server_version' && value === '5.1.30') return { ok: true, value: '5.5.30' };
      return { ok: true, value };
    case 'optional-path':
      return { ok: true, value: value === '' ? '(null)' : value };
    case 'fixed':
      return value !== '' && (current === undefined || current === '' || current === value) ? { ok: true, value } : { ok: false };
  }
}

export function isKnownVariable(name: string): boolean {
  return Object.hasOwn(knownVariables, name);
}

export function defaultVariables(): Map<string, string> {
  return new Map(Object.entries(knownVariables).map(([name, spec]) => [name, spec.default]));
}

/** C's atoi(): optional blanks and sign, then digits; anything else ends the number (so "abc" is 0). */
function atoi(s: string): number {
  const m = /^\s*([-+]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n));
}
