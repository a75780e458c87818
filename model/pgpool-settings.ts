// Pgpool's pgpool.conf as KubeDB renders it into the Secret `<pgpool>-config`: the backends from
// spec.postgresRef, then the custom configuration's keys (the Secret spec.configuration.secretName names, key
// pgpool.conf), then KubeDB's defaults for every key the custom configuration does not set (KubeDB's Pgpool
// guides show these, max_pool = replicas × 15), then the TLS keys (pgpool-config.ts). Both opsflow (while the
// database is paused) and the provisioner stand-in render it with these functions.
import type { DatabaseProfile } from './profiles.ts';
import type { Database } from './types.ts';

export type PgpoolConfCheck = { ok: true } | { ok: false; line: number; message: string };

/** `name = value`, value a number, a word or a '…' string ('' inside it), then an optional comment. */
const setting = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^']|'')*'|[^\s#']+)\s*(?:#.*)?$/;

/** The keys a custom configuration may not set: opsflow writes them from the database's spec. */
const owned: { test: (key: string) => boolean; why: string }[] = [
  { test: (k) => /^backend_(hostname|port|weight|flag|data_directory|application_name)\d+$/.test(k), why: 'the backends come from spec.postgresRef' },
  { test: (k) => k === 'port' || k === 'pcp_port', why: "the ports are the Services' (9999, 9595)" },
  { test: (k) => k === 'ssl' || k.startsWith('ssl_'), why: 'TLS is set by a ReconfigureTLS request (spec.tls)' },
  { test: (k) => k === 'enable_pool_hba', why: "pool_hba.conf follows spec.clientAuthMode" },
];

/** The settings of a pgpool.conf, in order (a later one wins, as for pgpool). */
function settings(text: string): Map<string, string> | { line: number; message: string } {
  const out = new Map<string, string>();
  for (const [i, raw] of text.replace(/\r\n/g, '\n').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = setting.exec(line);
    // The line is named, never quoted: pgpool.conf may hold passwords.
    if (!m) return { line: i + 1, message: 'is not a setting: write name = value (a string in single quotes)' };
    out.delete(m[1]!);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Whether `text` is a pgpool.conf a custom configuration may hold: settings pgpool reads, none that opsflow owns. */
export function checkCustomPgpoolConf(text: string): PgpoolConfCheck {
  const parsed = settings(text);
  if (!(parsed instanceof Map)) return { ok: false, ...parsed };
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (const key of parsed.keys()) {
    const rule = owned.find((r) => r.test(key.toLowerCase()));
    if (rule) return { ok: false, line: lines.findIndex((l) => setting.exec(l.trim())?.[1] === key) + 1, message: `sets ${key}, which cannot be set here: ${rule.why}` };
  }
  return { ok: true };
}

/** `base`'s settings with `over`'s set on top, key by key (a pgpool.conf of `name = value` lines). */
export function mergePgpoolConf(base: string, over: string): string {
  const merged = settings(base);
  const next = settings(over);
  if (!(merged instanceof Map) || !(next instanceof Map)) throw new Error('mergePgpoolConf: both files must parse first');
  for (const [k, v] of next) merged.set(k, v);
  return `${[...merged].map(([k, v]) => `${k} = ${v}`).join('\n')}\n`;
}

function backends(db: Database): string[] {
  const ref = (db.spec?.postgresRef ?? {}) as { name?: string; namespace?: string };
  const pg = ref.name ?? `${db.metadata.name}-postgres`;
  const ns = ref.namespace ?? db.metadata.namespace;
  return [
    `backend_hostname0 = '${pg}.${ns}.svc'`,
    'backend_port0 = 5432',
    'backend_weight0 = 1',
    "backend_flag0 = 'ALWAYS_PRIMARY|DISALLOW_TO_FAILOVER'",
    `backend_hostname1 = '${pg}-standby.${ns}.svc'`,
    'backend_port1 = 5432',
    'backend_weight1 = 1',
    "backend_flag1 = 'DISALLOW_TO_FAILOVER'",
  ];
}

function defaults(p: DatabaseProfile, replicas: number): [string, string][] {
  return [
    ['enable_pool_hba', 'on'],
    ['listen_addresses', '*'],
    ['port', String(p.container.port)],
    ['socket_dir', "'/var/run/pgpool'"],
    ['pcp_listen_addresses', '*'],
    ['pcp_port', '9595'],
    ['pcp_socket_dir', "'/var/run/pgpool'"],
    ['log_per_node_statement', 'on'],
    ['sr_check_period', '0'],
    ['health_check_period', '0'],
    ['backend_clustering_mode', "'streaming_replication'"],
    ['num_init_children', '5'],
    ['max_pool', String(replicas * 15)],
    ['child_life_time', '300'],
    ['child_max_connections', '0'],
    ['connection_life_time', '0'],
    ['client_idle_limit', '0'],
    ['connection_cache', 'on'],
    ['load_balance_mode', 'on'],
    ['ssl', "'off'"],
    ['failover_on_backend_error', "'off'"],
    ['log_min_messages', "'warning'"],
    ['statement_level_load_balance', "'off'"],
    ['memory_cache_enabled', "'off'"],
    ['memqcache_oiddir', "'/tmp/oiddir/'"],
    ['allow_clear_text_frontend_auth', "'false'"],
  ];
}

/** pgpool.conf before its TLS keys: backends, the custom configuration's settings, then the defaults it leaves. */
export function renderPgpoolConf(p: DatabaseProfile, db: Database, replicas: number, custom?: string): string {
  const own = custom === undefined ? new Map<string, string>() : settings(custom);
  if (!(own instanceof Map)) throw new Error('renderPgpoolConf: the custom pgpool.conf must parse first');
  const lines = [...backends(db), ...[...own].map(([k, v]) => `${k} = ${v}`), ...defaults(p, replicas).filter(([k]) => !own.has(k)).map(([k, v]) => `${k} = ${v}`)];
  return `${lines.join('\n')}\n`;
}
