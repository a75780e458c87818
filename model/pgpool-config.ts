// Pgpool's configuration as TLS changes it: the ssl keys of pgpool.conf (KubeDB's reconfigure-TLS guide:
// `ssl = on` and `ssl_cert`, `ssl_key`, `ssl_ca_cert` pointing into the TLS mount; `ssl = 'off'` without them
// after remove) and pool_hba.conf, whose method follows `clientAuthMode`. Both opsflow (while the database is
// paused) and the provisioner stand-in (when it renders) apply the same functions, and applying them again to
// their own output changes nothing, so a resumed Pgpool keeps the file opsflow wrote.
import type { DatabaseProfile } from './profiles.ts';
import type { TLSLayout } from './tls-layout.ts';

export const pgpoolConfKey = 'pgpool.conf';
export const poolHbaKey = 'pool_hba.conf';

const tlsKeys = new Set(['ssl', 'ssl_cert', 'ssl_key', 'ssl_ca_cert']);
const keyOf = (line: string) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];

/** Where the pod sees the server certificate's files: the profile's mount path and file name for each key. */
function serverFilePaths(p: DatabaseProfile): Record<'ca.crt' | 'tls.crt' | 'tls.key', string> {
  const paths: Record<string, string> = {};
  for (const mount of p.tlsMounts) {
    for (const f of mount.files) if (f.alias === 'server') paths[f.key] = `${mount.mountPath}/${f.path}`;
  }
  return paths as Record<'ca.crt' | 'tls.crt' | 'tls.key', string>;
}

/** pgpool.conf with its TLS keys as `layout` says, where the first of them stood (else at the end). */
export function withPgpoolTLS(p: DatabaseProfile, conf: string, layout: TLSLayout): string {
  const paths = serverFilePaths(p);
  const block = layout.enabled
    ? ['ssl = on', `ssl_cert = '${paths['tls.crt']}'`, `ssl_key = '${paths['tls.key']}'`, `ssl_ca_cert = '${paths['ca.crt']}'`]
    : ["ssl = 'off'"];
  const lines = conf.replace(/\n$/, '').split('\n');
  const at = lines.findIndex((l) => tlsKeys.has(keyOf(l) ?? ''));
  const kept = lines.filter((l) => !tlsKeys.has(keyOf(l) ?? ''));
  const position = at < 0 ? kept.length : lines.slice(0, at).filter((l) => !tlsKeys.has(keyOf(l) ?? '')).length;
  kept.splice(position, 0, ...block);
  return `${kept.join('\n')}\n`;
}

const hbaMethod: Record<string, string> = { md5: 'md5', scram: 'scram-sha-256', cert: 'cert' };

/**
 * pool_hba.conf for `clientAuthMode`: with `cert`, clients must come over TLS with a certificate whose CN is
 * their user name; otherwise a password (md5 or scram-sha-256), over TLS or not.
 */
export function poolHba(layout: TLSLayout): string {
  const mode = layout.clientAuthMode ?? 'md5';
  const method = hbaMethod[mode] ?? 'md5';
  const lines = ['# TYPE   DATABASE  USER  ADDRESS    METHOD', 'local    all       all              trust'];
  if (layout.enabled) lines.push(`hostssl  all       all   0.0.0.0/0  ${method}`);
  if (!layout.enabled || mode !== 'cert') lines.push(`host     all       all   0.0.0.0/0  ${method}`);
  return `${lines.join('\n')}\n`;
}
