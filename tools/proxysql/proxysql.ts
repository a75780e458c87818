// One stand-in ProxySQL: start-up as ProxySQL does it, the admin interface, the frontend, and stopping.
// Start-up (doc/configuration_system.md "Startup" and "Initial startup (or --initial/--reload flag)"):
//   the config file is read on every start (its datadir is needed); if <datadir>/proxysql.db does not
//   exist, or with --initial (which first moves the old file aside) or --reload, its sections go into
//   memory and memory is saved to disk; otherwise memory is loaded from disk and the file's sections are
//   ignored. Then every module is loaded to runtime, the TLS files are loaded or generated, and the
//   admin and frontend interfaces listen.
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Server, Socket } from 'node:net';
import { adminQuery, type AdminContext } from './admin-commands.ts';
import { authenticateAdmin, authenticateFrontend } from './auth.ts';
import { applyConfig, datadirOf, readConfigFile, type ConfigSection } from './config-file.ts';
import { linkFrontendCerts } from './frontend-certs.ts';
import { frontendQuery } from './frontend-queries.ts';
import { Layers, type Module } from './layers.ts';
import { closeServers, listen, parseInterfaces } from './listeners.ts';
import { error, info } from './log.ts';
import { startSession } from './mysql-session.ts';
import { bootstrapTls, reloadTls, type TlsMaterial } from './tls-files.ts';

export interface Options {
  /** -c: proxysql.cnf */
  config: string;
  /** -D: overrides the config file's datadir */
  datadir?: string;
  initial?: boolean;
  reload?: boolean;
  /** Takes the place of 0.0.0.0 in the interface lists. */
  bindAddress?: string;
  /** A directory with ca.crt, tls.crt and tls.key to link into the datadir before start. */
  frontendCerts?: string;
}

export interface ProxySQL {
  stop(): Promise<void>;
}

const allModules: ConfigSection[] = ['admin_variables', 'mysql_variables', 'mysql_users', 'mysql_query_rules', 'mysql_servers'];

export async function startProxySQL(options: Options): Promise<ProxySQL> {
  const root = readConfigFile(options.config);
  const datadir = options.datadir ?? datadirOf(root);
  if (!datadir) throw new Error('No datadir: give -D or set datadir in the config file');
  if (!existsSync(datadir) || !statSync(datadir).isDirectory()) throw new Error(`Datadir ${datadir} does not exist`);
  if (options.frontendCerts) linkFrontendCerts(options.frontendCerts, datadir);

  const diskFile = join(datadir, 'proxysql.db');
  const diskExisted = existsSync(diskFile);
  if (options.initial && diskExisted) renameSync(diskFile, `${diskFile}.bak`);
  const layers = new Layers(diskFile);
  const sockets = new Set<Socket>();
  let adminServers: Server[] = [];
  let frontendServers: Server[] = [];
  try {
    const fromConfig = !diskExisted || Boolean(options.initial) || Boolean(options.reload);
    if (diskExisted && !options.initial) for (const m of allModules) layers.diskToMemory(m);
    layers.fillDefaultVariables();
    if (fromConfig) {
      info(`Loading the configuration from ${options.config}${diskExisted && !options.initial ? ' over the disk database' : ''}`);
      applyConfig(layers.db, root, allModules);
      for (const m of allModules) layers.memoryToDisk(m);
    } else {
      info(`Loading the configuration from ${diskFile} (the config file is not read for it)`);
    }
    for (const m of allModules) layers.memoryToRuntime(m);

    const { material, generated } = await bootstrapTls(datadir);
    let tls: TlsMaterial = material;
    info(generated ? `No SSL keys/certificates found in datadir (${datadir}). Generated new keys/certificates.` : `SSL keys/certificates found in datadir (${datadir}): loaded them.`);

    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    };
    const onAdminSocket = (socket: Socket) => {
      track(socket);
      // The admin greeting carries the runtime mysql-server_version (the mysql client then shows
      // "(ProxySQL Admin Module)" from @@version_comment).
      startSession(socket, {
        serverVersion: layers.runtimeVariable('mysql-server_version') ?? '',
        tls: () => undefined,
        authenticate: (login) => authenticateAdmin(layers.runtimeVariable('admin-admin_credentials') ?? '', login),
        query: (sql, reply) => adminQuery(admin, sql, reply),
      });
    };
    const onFrontendSocket = (socket: Socket) => {
      track(socket);
      const serverVersion = layers.runtimeVariable('mysql-server_version') ?? '';
      startSession(socket, {
        serverVersion,
        tls: () => (layers.runtimeVariable('mysql-have_ssl') === 'true' ? tls.context : undefined),
        authenticate: (login) => authenticateFrontend(layers.runtimeRows('mysql_users'), login),
        query: (sql, reply, session) => frontendQuery(sql, reply, { user: session.user, serverVersion }),
      });
    };

    let adminIfaces = '';
    const bindAdmin = async () => {
      const ifaces = layers.runtimeVariable('admin-mysql_ifaces') ?? '';
      if (ifaces === adminIfaces) return;
      const next = await listen(parseInterfaces(ifaces, options.bindAddress), onAdminSocket, 'admin interface');
      void closeServers(adminServers); // sessions already open stay open
      adminServers = next;
      adminIfaces = ifaces;
      info(`Admin interface listening on ${ifaces}`);
    };
    const admin: AdminContext = {
      layers,
      loadFromConfig: (module: Module) => layers.configToMemory(module, readConfigFile(options.config)),
      reloadTls: () => {
        tls = reloadTls(datadir);
        info('PROXYSQL RELOAD TLS: new certificates loaded');
      },
      runtimeChanged: (module: Module) => {
        if (module === 'admin_variables') bindAdmin().catch((err: Error) => error(`${err.message}; the admin interface keeps its previous interfaces`));
      },
    };

    await bindAdmin();
    const frontendIfaces = layers.runtimeVariable('mysql-interfaces') ?? '';
    frontendServers = await listen(parseInterfaces(frontendIfaces, options.bindAddress), onFrontendSocket, 'MySQL frontend');
    info(`MySQL frontend listening on ${frontendIfaces} (mysql-have_ssl=${layers.runtimeVariable('mysql-have_ssl')})`);
    info('ProxySQL stand-in ready');
  } catch (err) {
    await closeServers([...adminServers, ...frontendServers]);
    layers.close();
    throw err;
  }

  return {
    async stop() {
      const closing = closeServers([...adminServers, ...frontendServers]);
      for (const socket of sockets) socket.destroy();
      await closing;
      layers.close();
    },
  };
}
