// What the admin interface does with a query. ProxySQL's admin parses each query for its own commands
// and hands everything else to SQLite ("ProxySQL parses the queries sent through this interface for any
// command specific to ProxySQL, and if appropriate it sends them to the embedded SQLite3 engine",
// documentation "The Admin Schemas"). Commands are matched case-insensitively after trailing ';' and
// repeated blanks are dropped (ProxySQL's remove_spaces, "fix bug #925"). Handled here:
//   LOAD|SAVE <module> TO|FROM <layer>, with the aliases of doc/configuration_system.md and
//     generate_load_save_disk_commands (MEMORY/MEM, RUNTIME/RUN), and LOAD <module> FROM CONFIG;
//   PROXYSQL RELOAD TLS;
//   SET <admin-|mysql-variable> = <value>, turned into UPDATE global_variables (admin_handler_command_set;
//     an unknown name gets an OK carrying "ERROR: Unknown global variable: '<name>'."); other SETs are
//     accepted and ignored, as ProxySQL does for client-side SETs such as SET NAMES;
//   SHOW [GLOBAL|ALL] VARIABLES [LIKE ... | WHERE ...], SHOW TABLES [FROM <schema>], SHOW DATABASES;
//   SELECT @@version_comment [LIMIT 1], SELECT @@<admin-|mysql-variable> (its runtime value), SELECT @@version.
// SQLite's errors go back as ProxySQL's: 1045 28000 "ProxySQL Admin Error: <sqlite message>".
import type { SQLOutputValue } from 'node:sqlite';
import type { Layers, Module } from './layers.ts';
import type { Reply } from './mysql-session.ts';
import { isKnownVariable } from './variables.ts';

export interface AdminContext {
  layers: Layers;
  /** LOAD ... FROM CONFIG: the module's entries of the config file into memory. */
  loadFromConfig(module: Module): void;
  /** PROXYSQL RELOAD TLS; throws with ProxySQL's message when the files do not load. */
  reloadTls(): void;
  /** Told after LOAD ... TO RUNTIME, for what acts on the runtime at once (the admin listeners). */
  runtimeChanged(module: Module): void;
}

const modules: Record<string, Module> = {
  'MYSQL USERS': 'mysql_users',
  'MYSQL QUERY RULES': 'mysql_query_rules',
  'MYSQL SERVERS': 'mysql_servers',
  'MYSQL VARIABLES': 'mysql_variables',
  'ADMIN VARIABLES': 'admin_variables',
};

type Move = 'memoryToRuntime' | 'runtimeToMemory' | 'diskToMemory' | 'memoryToDisk' | 'configToMemory';
const moves: Record<string, Move> = {
  'LOAD TO RUNTIME': 'memoryToRuntime',
  'LOAD TO RUN': 'memoryToRuntime',
  'LOAD FROM MEMORY': 'memoryToRuntime',
  'LOAD FROM MEM': 'memoryToRuntime',
  'SAVE TO MEMORY': 'runtimeToMemory',
  'SAVE TO MEM': 'runtimeToMemory',
  'SAVE FROM RUNTIME': 'runtimeToMemory',
  'SAVE FROM RUN': 'runtimeToMemory',
  'LOAD FROM DISK': 'diskToMemory',
  'LOAD TO MEMORY': 'diskToMemory',
  'LOAD TO MEM': 'diskToMemory',
  'SAVE TO DISK': 'memoryToDisk',
  'SAVE FROM MEMORY': 'memoryToDisk',
  'SAVE FROM MEM': 'memoryToDisk',
  'LOAD FROM CONFIG': 'configToMemory',
};

const adminError = (message: string) => ({ code: 1045, sqlState: '28000', message: `ProxySQL Admin Error: ${message}` });

export function adminQuery(ctx: AdminContext, query: string, reply: Reply): void {
  const sql = query.trim().replace(/[\s;]+$/, '');
  const command = sql.replace(/\s+/g, ' ').toUpperCase();

  const layerMove = /^(LOAD|SAVE) (MYSQL USERS|MYSQL QUERY RULES|MYSQL SERVERS|MYSQL VARIABLES|ADMIN VARIABLES) (TO|FROM) (\w+)$/.exec(command);
  const move = layerMove && moves[`${layerMove[1]} ${layerMove[3]} ${layerMove[4]}`];
  if (layerMove && move) {
    const module = modules[layerMove[2] as string] as Module;
    if (move === 'configToMemory') ctx.loadFromConfig(module);
    else ctx.layers[move](module);
    if (move === 'memoryToRuntime') ctx.runtimeChanged(module);
    return reply.ok();
  }

  if (command === 'PROXYSQL RELOAD TLS') {
    try {
      ctx.reloadTls();
    } catch (err) {
      return reply.error(adminError((err as Error).message));
    }
    return reply.ok();
  }

  const set = /^SET\s+([^\s=]+)\s*=\s*([\s\S]*)$/i.exec(sql);
  if (set) {
    const [, name, value] = set as unknown as [string, string, string];
    if (!/^(mysql|admin)-/.test(name)) return reply.ok();
    if (!isKnownVariable(name)) return reply.ok(0, `ERROR: Unknown global variable: '${name}'.`);
    return runSql(ctx, `UPDATE global_variables SET variable_value=${value} WHERE variable_name='${name.replaceAll("'", "''")}'`, reply);
  }

  const variables = /^SHOW (?:GLOBAL |ALL )?VARIABLES(?: (LIKE|WHERE) ([\s\S]+))?$/i.exec(sql.replace(/\s+/g, ' '));
  if (variables) {
    const [, kind, rest] = variables;
    const filter = kind === undefined ? '' : kind.toUpperCase() === 'LIKE' ? ` WHERE variable_name LIKE ${rest}` : ` WHERE ${rest}`;
    return runSql(ctx, `SELECT variable_name AS Variable_name, variable_value AS Value FROM global_variables${filter} ORDER BY variable_name`, reply);
  }

  const tables = /^SHOW TABLES(?: (?:FROM|IN) (\w+))?$/i.exec(sql.replace(/\s+/g, ' '));
  if (tables) {
    const schema = tables[1] ?? 'main';
    return runSql(ctx, `SELECT name AS tables FROM ${schema}.sqlite_master WHERE type='table' AND name NOT IN ('sqlite_sequence') ORDER BY name`, reply);
  }
  if (command === 'SHOW DATABASES') return runSql(ctx, 'PRAGMA database_list', reply);

  if (/^SELECT @@VERSION_COMMENT( LIMIT 1)?$/.test(command)) return reply.rows(['@@version_comment'], [['(ProxySQL Admin Module)']]);
  const at = /^SELECT @@([\w-]+)$/i.exec(sql);
  if (at) {
    const name = at[1] as string;
    const value = name.toLowerCase() === 'version' ? ctx.layers.runtimeVariable('mysql-server_version') : ctx.layers.runtimeVariable(name);
    if (value !== undefined) return reply.rows([`@@${name}`], [[value]]);
  }

  return runSql(ctx, sql, reply);
}

function runSql(ctx: AdminContext, sql: string, reply: Reply): void {
  const db = ctx.layers.db;
  try {
    if (/runtime_/i.test(sql)) ctx.layers.refreshRuntimeTables();
    const statement = db.prepare(sql);
    const columns = statement.columns();
    if (columns.length === 0) return reply.ok(Number(statement.run().changes));
    statement.setReturnArrays(true);
    const rows = statement.all() as unknown as SQLOutputValue[][];
    reply.rows(
      columns.map((c) => c.name),
      rows.map((row) => row.map(text)),
    );
  } catch (err) {
    reply.error(adminError((err as Error).message));
  }
}

function text(value: SQLOutputValue): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}
