// ProxySQL's three configuration layers (doc/configuration_system.md, "Main / Memory / Runtime / Disk"):
//   memory  - the in-memory SQLite database "main" that admin SQL reads and writes;
//   disk    - <datadir>/proxysql.db, attached to main as "disk" (as ProxySQL does), written only by SAVE;
//   runtime - what the proxy acts on, changed only by LOAD ... TO RUNTIME. Here it is plain data in this
//             object; the runtime_ tables in main are regenerated from it whenever a query reads them,
//             so writing into a runtime_ table changes nothing (as in ProxySQL).
// Each move between layers does what lib/ProxySQL_Admin.cpp does for it: tables are replaced whole
// (DELETE then INSERT ... SELECT), variables are merged per prefix (INSERT OR REPLACE ... LIKE 'mysql-%').
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { applyConfig, type ConfigSection } from './config-file.ts';
import type { Group } from './libconfig.ts';
import { error, warning } from './log.ts';
import { configTables, createStatements, type ConfigTable } from './schema.ts';
import { defaultVariables, isKnownVariable, setVariable } from './variables.ts';

export type Module = ConfigSection;
export type Row = Record<string, SQLOutputValue>;

/** Which rows of a memory table become runtime: ProxySQL loads only active users with a hostgroup
 * (__add_active_users: active=1 AND default_hostgroup>=0) and only active query rules. */
const runtimeSelect: Record<ConfigTable, string> = {
  mysql_users: 'SELECT * FROM main.mysql_users WHERE active=1 AND default_hostgroup>=0',
  mysql_query_rules: 'SELECT * FROM main.mysql_query_rules WHERE active=1 ORDER BY rule_id',
  mysql_servers: 'SELECT * FROM main.mysql_servers',
};

export class Layers {
  readonly db: DatabaseSync;
  // mysql-interfaces starts unset at runtime: ProxySQL's MySQL_Threads_Handler sets it to "" and it can
  // be set once (from memory, at start); 0.0.0.0:6033 is what it listens on when nothing set it.
  readonly runtimeVariables = new Map([...defaultVariables(), ['mysql-interfaces', '']]);
  #runtimeRows = new Map<ConfigTable, Row[]>(configTables.map((t) => [t, []]));

  constructor(diskFile: string) {
    this.db = new DatabaseSync(':memory:');
    for (const statement of createStatements('main')) this.db.exec(statement);
    this.db.exec(`ATTACH DATABASE '${diskFile.replaceAll("'", "''")}' AS disk`);
    for (const statement of createStatements('disk')) this.db.exec(statement);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  runtimeRows(table: ConfigTable): readonly Row[] {
    return this.#runtimeRows.get(table) ?? [];
  }

  runtimeVariable(name: string): string | undefined {
    return this.runtimeVariables.get(name);
  }

  /** LOAD ... TO RUNTIME (also FROM MEMORY). */
  memoryToRuntime(module: Module): void {
    if (isTable(module)) this.#runtimeRows.set(module, this.db.prepare(runtimeSelect[module]).all());
    else this.#variablesToRuntime(prefixOf(module));
  }

  /** SAVE ... FROM RUNTIME (also TO MEMORY). */
  runtimeToMemory(module: Module): void {
    if (isTable(module)) {
      this.db.exec(`DELETE FROM main.${module}`);
      for (const row of this.runtimeRows(module)) insertRow(this.db, `main.${module}`, row);
    } else {
      const replace = this.db.prepare('REPLACE INTO main.global_variables VALUES (?, ?)');
      for (const [name, value] of this.runtimeVariables) if (name.startsWith(`${prefixOf(module)}-`)) replace.run(name, value);
    }
  }

  /** LOAD ... FROM DISK (also TO MEMORY). */
  diskToMemory(module: Module): void {
    this.#copy(module, 'disk', 'main');
  }

  /** SAVE ... TO DISK (also FROM MEMORY). */
  memoryToDisk(module: Module): void {
    this.#copy(module, 'main', 'disk');
  }

  /** LOAD ... FROM CONFIG: the config file's entries for this module into memory. */
  configToMemory(module: Module, root: Group): void {
    applyConfig(this.db, root, [module]);
  }

  /** The memory defaults for variables memory lacks (ProxySQL flushes its runtime defaults into main
   * with INSERT OR IGNORE at start, so every variable it knows has a row). */
  fillDefaultVariables(): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO main.global_variables VALUES (?, ?)');
    for (const [name, value] of defaultVariables()) insert.run(name, value);
  }

  /** Rewrites the runtime_ tables from runtime, as ProxySQL does before a query that reads them. */
  refreshRuntimeTables(): void {
    for (const table of configTables) {
      this.db.exec(`DELETE FROM main.runtime_${table}`);
      for (const row of this.runtimeRows(table)) insertRow(this.db, `main.runtime_${table}`, row);
    }
    this.db.exec('DELETE FROM main.runtime_global_variables');
    const insert = this.db.prepare('INSERT INTO main.runtime_global_variables VALUES (?, ?)');
    for (const [name, value] of this.runtimeVariables) insert.run(name, value);
  }

  #copy(module: Module, from: 'main' | 'disk', to: 'main' | 'disk'): void {
    if (isTable(module)) {
      this.db.exec(`DELETE FROM ${to}.${module}`);
      this.db.exec(`INSERT INTO ${to}.${module} SELECT * FROM ${from}.${module}`);
    } else {
      this.db.exec(`INSERT OR REPLACE INTO ${to}.global_variables SELECT * FROM ${from}.global_variables WHERE variable_name LIKE '${prefixOf(module)}-%'`);
    }
  }

  /** flush_<prefix>_variables___database_to_runtime(admindb, replace=true) in lib/Admin_FlushVariables.cpp:
   * each memory row is offered to set_variable(); a refused value is logged and memory is reset to the
   * runtime value; a variable ProxySQL does not have is logged and deleted from memory. The command
   * itself still succeeds. */
  #variablesToRuntime(prefix: string): void {
    const rows = this.db.prepare('SELECT variable_name, variable_value FROM main.global_variables WHERE variable_name LIKE ?').all(`${prefix}-%`);
    for (const row of rows) {
      const name = String(row.variable_name);
      const value = String(row.variable_value);
      const short = name.slice(prefix.length + 1);
      if (!isKnownVariable(name)) {
        error(`Impossible to set not existing variable ${short} with value "${value}". Deleting`);
        this.db.prepare('DELETE FROM main.global_variables WHERE variable_name = ?').run(name);
        continue;
      }
      const current = this.runtimeVariables.get(name);
      const outcome = setVariable(name, value, current);
      if (outcome.ok) {
        this.runtimeVariables.set(name, outcome.value);
      } else {
        warning(`Impossible to set variable ${short} with value "${value}". Resetting to current "${current}".`);
        this.db.prepare('INSERT OR REPLACE INTO main.global_variables VALUES (?, ?)').run(name, current ?? '');
      }
    }
    if (prefix === 'mysql' && this.runtimeVariables.get('mysql-interfaces') === '') this.runtimeVariables.set('mysql-interfaces', '0.0.0.0:6033');
  }
}

function isTable(module: Module): module is ConfigTable {
  return (configTables as readonly string[]).includes(module);
}

function prefixOf(module: Module): 'mysql' | 'admin' {
  return module === 'admin_variables' ? 'admin' : 'mysql';
}

function insertRow(db: DatabaseSync, table: string, row: Row): void {
  const names = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(row));
}
