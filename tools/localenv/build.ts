// Build the local environment's programs with Go, once per component and version, into the cache.
// A component is built into a temporary folder and renamed into place, so a cache entry is complete or absent.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certManagerCRDs, components, kwokStages, type GoComponent } from './components.ts';
import { CommandError, run } from './exec.ts';
import { componentDir } from './paths.ts';

const goEnv = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-trimpath -buildvcs=false' };

export const binaryPath = (component: string, binary = component) => {
  const c = components.find((x) => x.name === component)!;
  return join(componentDir(c.name, c.version), binary);
};


async function checkGo(): Promise<void> {
  let version: string;
  try {
    version = (await run('go', ['env', 'GOVERSION'], { env: goEnv })).stdout.trim();
  } catch {
    throw new CommandError(
      'Go is needed to build the local environment (Temporal CLI, etcd, Kubernetes, kwok, cert-manager) and was not found on PATH. ' +
        'Install Go >= 1.26 (https://go.dev/dl) and run again.',
    );
  }
  const [major, minor] = version.replace(/^go/, '').split('.').map(Number);
  if (major < 1 || (major === 1 && minor < 26)) {
    throw new CommandError(`Go ${version} is too old to build the local environment; install Go >= 1.26.`);
  }
}

function explain(component: GoComponent, err: unknown): Error {
  const text = err instanceof Error ? err.message : String(err);
  if (/dial tcp|no such host|i\/o timeout|connection refused|TLS handshake/.test(text)) {
    return new CommandError(
      `Could not download ${component.name} ${component.version} from the Go module proxy ` +
        `(GOPROXY=${process.env.GOPROXY ?? 'go default'}). Check the network or GOPROXY and run again.\n${text}`,
    );
  }
  return new CommandError(`Building ${component.name} ${component.version} failed:\n${text}`);
}

async function buildComponent(c: GoComponent, outDir: string): Promise<void> {
  const ldflags = ['-s', '-w', ...c.ldflags].join(' ');
  if ('install' in c.source) {
    await run('go', ['install', `-ldflags=${ldflags}`, `${c.source.install}@${c.version}`], {
      env: { ...goEnv, GOBIN: outDir },
    });
  } else {
    for (const [binary, pkg] of Object.entries(c.source.packages)) {
      await run('go', ['build', `-ldflags=${ldflags}`, '-o', join(outDir, binary), pkg], {
        cwd: c.source.wrapperDir,
        env: goEnv,
      });
    }
  }
}

/** Where a component's module is in the Go module cache (downloaded by its build, or now). */
async function moduleDir(component: string, modulePath: string): Promise<string> {
  const { version } = components.find((c) => c.name === component)!;
  const out = (await run('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { env: goEnv })).stdout;
  return JSON.parse(out).Dir as string;
}

/** kwok's stage config, made from the stage files in kwok's module (downloaded by its build), and `extra` stages. */
export async function writeKwokStages(file: string, extra: string[] = []): Promise<void> {
  const dir = await moduleDir('kwok', 'sigs.k8s.io/kwok');
  const docs = await Promise.all(kwokStages.map((f) => readFile(join(dir, f), 'utf8')));
  await writeFile(file, [...docs, ...extra].map((d) => d.trim()).join('\n---\n') + '\n');
}

/** cert-manager's own CRD files, in its module (read-only in the module cache; applied as they are). */
export async function certManagerCRDFiles(): Promise<string[]> {
  const dir = await moduleDir('cert-manager', 'github.com/cert-manager/cert-manager');
  return certManagerCRDs.map((f) => join(dir, f));
}

/** Builds every component missing from the cache; prints a line per component. */
export async function buildAll(log: (line: string) => void = console.log): Promise<void> {
  const missing = components.filter((c) => !existsSync(componentDir(c.name, c.version)));
  if (missing.length === 0) return;
  await checkGo();
  const started = Date.now();
  for (const [i, c] of missing.entries()) {
    const dir = componentDir(c.name, c.version);
    const tmp = `${dir}.partial-${process.pid}`;
    const t0 = Date.now();
    log(`[${i + 1}/${missing.length}] building ${c.name} ${c.version} (${c.binaries.join(', ')}) with Go; this takes minutes cold…`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      await buildComponent(c, tmp);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw explain(c, err);
    }
    log(`[${i + 1}/${missing.length}] ${c.name} ${c.version} built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  log(`local environment built in ${((Date.now() - started) / 1000).toFixed(0)} s → ${componentDir('', '').replace(/\/-$/, '')}`);
}
