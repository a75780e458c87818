// An OpsRequest from a YAML (or JSON) file, or from standard input with `-f -`: exactly one object of an
// OpsRequest kind opsflow serves. The namespace is -n, else the file's, else the context's.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { profileForOpsKind, type DatabaseProfile } from '../../model/profiles.ts';
import type { OpsRequest } from '../../model/types.ts';
import { UsageError } from './errors.ts';
import { profileFor } from './kinds.ts';

async function readText(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

export interface RequestFile {
  ops: OpsRequest;
  profile: DatabaseProfile;
}

/**
 * `kindFlag`, when given, must agree with the file's kind; `namespaceFlag` overrides the file's namespace only
 * when the file has none or the same (as kubectl refuses a conflicting -n).
 */
export async function readRequestFile(file: string, o: { namespace: (flag?: string) => string; namespaceFlag?: string; kindFlag?: string }): Promise<RequestFile> {
  const text = await readText(file);
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw new Error(d.errors[0].message);
      return d.toJS();
    }).filter((d) => d !== null && d !== undefined);
  } catch (err) {
    throw new UsageError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (docs.length !== 1) throw new UsageError(`${file} must hold exactly one OpsRequest (found ${docs.length} documents)`);
  const doc = docs[0] as OpsRequest;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file} does not hold an object`);
  const kind = doc.kind ?? profileFor(o.kindFlag ?? 'MySQLOpsRequest').opsRequest.kind;
  const p = kind ? profileForOpsKind(kind) : undefined;
  if (!p) throw new UsageError(`${file}: kind ${JSON.stringify(doc.kind)} is not an OpsRequest opsflow serves (MySQLOpsRequest, PerconaXtraDBOpsRequest, ProxySQLOpsRequest, PgpoolOpsRequest)`);
  if (o.kindFlag && profileFor(o.kindFlag) !== p) throw new UsageError(`--kind ${o.kindFlag} does not match the file's kind ${p.opsRequest.kind}`);
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'ops.kubedb.com/v1alpha1') throw new UsageError(`${file}: apiVersion must be ops.kubedb.com/v1alpha1 (got ${doc.apiVersion})`);
  if (!doc.metadata?.name) throw new UsageError(`${file}: metadata.name is required`);
  const fileNamespace = doc.metadata.namespace;
  if (o.namespaceFlag && fileNamespace && o.namespaceFlag !== fileNamespace) {
    throw new UsageError(`the namespace of ${file} (${fileNamespace}) does not match -n ${o.namespaceFlag}`);
  }
  const namespace = fileNamespace ?? o.namespace(o.namespaceFlag);
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _g, ...metadata } = doc.metadata;
  return {
    profile: p,
    ops: { apiVersion: 'ops.kubedb.com/v1alpha1', kind: p.opsRequest.kind, metadata: { ...metadata, namespace }, spec: doc.spec },
  };
}
