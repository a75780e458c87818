// Who may log in, with ProxySQL's answers (lib/MySQL_Session.cpp,
// handler___status_CONNECTING_CLIENT___STATE_SERVER_HANDSHAKE, ProxySQL 2.x):
//   wrong user or password -> 1045 28000 "ProxySQL Error: Access denied for user 'u'@'addr' (using password: YES)"
//   admin interface: the users of admin-admin_credentials ("user:pass;user2:pass2", ProxySQL_Admin's
//     add_admin_users); the one named "admin" only from 127.0.0.1, localhost or ::1, else
//     1040 42000 "User 'admin' can only connect locally". admin-cluster_username is not a login of its
//     own: ProxySQL's cluster documentation asks for the same pair to be listed in admin_credentials,
//     which is what KubeDB's proxysql.cnf does.
//   frontend: the runtime mysql_users with frontend=1 (only active ones reach runtime); a user with
//     use_ssl=1 on a connection without TLS, after a correct password ->
//     1045 28000 "ProxySQL Error: Access denied for user 'u' (using password: YES). SSL is required"
import { error } from './log.ts';
import { checkNativePassword } from './mysql-protocol.ts';
import type { Login, MysqlError } from './mysql-session.ts';
import type { Row } from './layers.ts';

export function authenticateAdmin(credentials: string, login: Login): MysqlError | undefined {
  const password = parseCredentials(credentials).get(login.user);
  if (password === undefined || !checkNativePassword(password, login.scramble, login.token)) return accessDenied(login);
  if (login.user === 'admin' && !['127.0.0.1', 'localhost', '::1'].includes(login.address)) {
    return { code: 1040, sqlState: '42000', message: "User 'admin' can only connect locally" };
  }
  return undefined;
}

export function authenticateFrontend(users: readonly Row[], login: Login): MysqlError | undefined {
  const user = users.find((u) => u.username === login.user && Number(u.frontend) === 1);
  const stored = user?.password === null || user?.password === undefined ? '' : String(user.password);
  if (!user || !checkNativePassword(stored, login.scramble, login.token)) return accessDenied(login);
  if (Number(user.use_ssl) === 1 && !login.encrypted) {
    return logged({ code: 1045, sqlState: '28000', message: `ProxySQL Error: Access denied for user '${login.user}' (using password: ${usingPassword(login)}). SSL is required` });
  }
  return undefined;
}

/** "user:pass;user2:pass2": tokens split on ';' (empty ones skipped), each split at its first ':'. */
export function parseCredentials(value: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const token of value.split(';').filter(Boolean)) {
    const at = token.indexOf(':');
    pairs.set(at < 0 ? token : token.slice(0, at), at < 0 ? '' : token.slice(at + 1));
  }
  return pairs;
}

function accessDenied(login: Login): MysqlError {
  return logged({ code: 1045, sqlState: '28000', message: `ProxySQL Error: Access denied for user '${login.user}'@'${login.address}' (using password: ${usingPassword(login)})` });
}

/** ProxySQL also writes its Access denied errors to its log (proxy_error). */
function logged(err: MysqlError): MysqlError {
  error(err.message);
  return err;
}

const usingPassword = (login: Login) => (login.token.length > 0 ? 'YES' : 'NO');
