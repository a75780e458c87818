// The users a ProxySQL's backend MySQL has, with their mysql_native_password hashes, read from the backend's
// primary as its root user (as KubeDB's provisioner reads them to render proxysql.cnf). System accounts are
// not users of the application and are left out.
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import mysql from 'mysql2/promise';

const system = new Set(['root', 'mariadb.sys', 'mysql', 'PUBLIC', '']);

export async function backendUserHashes(primary: V1Pod, auth: V1Secret): Promise<Map<string, string>> {
  const decode = (k: string) => Buffer.from(auth.data?.[k] ?? '', 'base64').toString('utf8');
  const c = await mysql.createConnection({ host: primary.status!.podIP!, port: 3306, user: decode('username'), password: decode('password'), connectTimeout: 5000 });
  try {
    const [rows] = await c.query('SELECT User AS user, Password AS password, authentication_string AS auth FROM mysql.user');
    const hashes = new Map<string, string>();
    for (const r of rows as { user: string; password: string; auth: string }[]) {
      const hash = [r.password, r.auth].find((h) => /^\*[0-9A-F]{40}$/.test(h ?? ''));
      if (hash && !system.has(r.user)) hashes.set(r.user, hash);
    }
    return hashes;
  } finally {
    await c.end().catch(() => {});
  }
}
