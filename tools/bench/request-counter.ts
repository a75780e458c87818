// Counts the Kubernetes API requests made through one connection, by verb and resource: every request of a
// KubeConfig passes through its authentication hook, so the count is taken there, around the work measured.
import type { RequestContext } from '@kubernetes/client-node';
import type { Kube } from '../../platform/kube.ts';

/** `GET pods/{name}`, `LIST pods`, `WATCH certificates`, `PATCH mysqls/{name}/status`: the verb and the resource, names taken out. */
function requestKind(ctx: RequestContext): string {
  const url = new URL(ctx.getUrl());
  const resource = url.pathname.replace(/\/namespaces\/[^/]+/, '').replace(/^\/apis?\/(?:[^/]+\/)?v[^/]*\//, '');
  const named = resource.replace(/\/[a-z0-9.-]+(\/(status|eviction))?$/, (_m, sub) => `/{name}${sub ?? ''}`);
  const verb = url.searchParams.get('watch') ? 'WATCH' : ctx.getHttpMethod() === 'GET' && !named.includes('/') ? 'LIST' : ctx.getHttpMethod();
  return `${verb} ${named}`;
}

export class RequestCounter {
  private counts: Map<string, number> | undefined;

  constructor(kube: Kube) {
    const authenticate = kube.config.applySecurityAuthentication.bind(kube.config);
    kube.config.applySecurityAuthentication = async (ctx: RequestContext) => {
      if (this.counts) {
        const kind = requestKind(ctx);
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      }
      return authenticate(ctx);
    };
  }

  /** Counts from now on, from zero. */
  start(): void {
    this.counts = new Map();
  }

  /** Stops counting; the requests since start(), by kind, most first. */
  stop(): Record<string, number> {
    const counts = this.counts ?? new Map<string, number>();
    this.counts = undefined;
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
  }
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The counts summed by verb (GET, LIST, WATCH, PATCH, ...). */
export function byVerb(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, n] of Object.entries(counts)) {
    const verb = kind.split(' ')[0];
    out[verb] = (out[verb] ?? 0) + n;
  }
  return out;
}
