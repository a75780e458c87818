// The revision of each named Certificate (0 for one that does not exist): how often cert-manager issued it.
import { get, res } from './cluster.ts';

export async function certificateRevisions(namespace: string, names: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) {
    const cert = await get(res.certificate, namespace, name).catch((err) => {
      if (err?.code === 404) return undefined;
      throw err;
    });
    out.set(name, cert?.status?.revision ?? 0);
  }
  return out;
}
