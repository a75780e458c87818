// What the frontend answers after a login. A real ProxySQL routes queries to the backend servers of the
// user's hostgroup; the stand-in routes nothing (see the README) and answers only the queries a client or
// a health check sends to see that it is in: SELECT 1, SELECT @@version (mysql-server_version at runtime,
// the version the greeting announced), SELECT CURRENT_USER() (what a backend would say for the user's
// account: 'user@%'), and the mysql client's "select @@version_comment limit 1" ("(ProxySQL)").
// Anything else is refused with an error that says why.
import type { Reply } from './mysql-session.ts';

export function frontendQuery(query: string, reply: Reply, session: { user: string; serverVersion: string }): void {
  const sql = query.trim().replace(/[\s;]+$/, '').replace(/\s+/g, ' ');
  if (/^SELECT 1$/i.test(sql)) return reply.rows(['1'], [['1']]);
  if (/^SELECT @@(?:global\.|session\.)?version$/i.test(sql)) return reply.rows([sql.slice(7)], [[session.serverVersion]]);
  if (/^SELECT CURRENT_USER(?:\(\))?$/i.test(sql)) return reply.rows([sql.slice(7)], [[`${session.user}@%`]]);
  if (/^SELECT @@version_comment( LIMIT 1)?$/i.test(sql)) return reply.rows(['@@version_comment'], [['(ProxySQL)']]);
  reply.error({ code: 1105, sqlState: 'HY000', message: 'ProxySQL stand-in: queries are not routed to backend servers' });
}
