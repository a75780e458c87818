// Which OpsRequest kind a command means: `--kind` takes the kind (MySQLOpsRequest), its plural or short name as
// kubectl knows them (mysqlopsrequests, myops), or the database kind (MySQL); a YAML file says it itself.
import { databaseKinds, profileForOpsKind, profiles, type DatabaseProfile } from '../../model/profiles.ts';
import { UsageError } from './errors.ts';

const shortNames: Record<string, string> = { myops: 'MySQL', pxcops: 'PerconaXtraDB', prxops: 'ProxySQL', ppops: 'Pgpool' };

export const defaultKind = 'MySQLOpsRequest';

export function profileFor(kind: string): DatabaseProfile {
  const k = kind.trim().toLowerCase();
  for (const dbKind of databaseKinds) {
    const p = profiles[dbKind];
    const names = [p.opsRequest.kind, p.opsRequest.plural, p.opsRequest.plural.replace(/s$/, ''), p.kind, p.plural].map((n) => n.toLowerCase());
    if (names.includes(k) || shortNames[k] === p.kind) return p;
  }
  throw new UsageError(
    `unknown kind "${kind}": use one of ${databaseKinds.map((d) => profiles[d].opsRequest.kind).join(', ')} (or ${Object.keys(shortNames).join(', ')})`,
  );
}

export const isOpsKind = (kind: unknown): boolean => typeof kind === 'string' && profileForOpsKind(kind) !== undefined;
