// One container of a pod, run the way a kubelet and container runtime run it: resolve its environment,
// do the image's first-start work, start the server in its sandbox, report it Running and — once the server
// answers on podIP:port — Ready; when it exits without being asked to, report the termination (exit code,
// times) as lastState and restart it after the kubelet's back-off (CrashLoopBackOff); on stop, send the
// image's stop signal and SIGKILL its whole process group after the grace period. Each start's output goes
// to a log file of its own that is kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import type { V1Container, V1ContainerState, V1Pod, V1Secret } from '@kubernetes/client-node';
import { backoffRestarts, restartDelayMs } from './backoff.ts';
import { ContainerConfigError, containerEnv } from './container-env.ts';
import { programFor, type ImageContext, type ImageProgram } from './images.ts';
import type { PodPaths } from './layout.ts';
import type { ContainerReport } from './pod-status.ts';
import { giveTo } from './os-user.ts';
import { forgetProcess, recordProcess } from './process-record.ts';
import type { Programs } from './programs.ts';
import { probe } from './readiness.ts';
import { sandboxCommand, sandboxScript, type Mount } from './sandbox.ts';
import { Wakeup } from './wakeup.ts';

/** What a container needs from its pod. */
export interface PodContext {
  pod(): V1Pod;
  paths: PodPaths;
  programs: Programs;
  repoRoot: string;
  templates: string;
  secret(name: string): V1Secret | undefined;
  /** The container's volume mounts, as machine folders (the pod's volumes are ready before any container runs). */
  volumeMounts(container: V1Container): Mount[];
  /** The container's status changed. */
  changed(): void;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/** What the image's environment holds before the container's own variables. */
const imageEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };

const asUser = (user: string | undefined, command: string, args: string[]): [string, string[]] =>
  user ? ['setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', command, ...args]] : [command, args];

interface Exit {
  code: number;
  signal?: string;
}

export class ContainerRunner {
  readonly report: ContainerReport;
  readonly program: ImageProgram | undefined;
  #stopping = false;
  #child?: ChildProcess;
  #exited?: Promise<Exit>;
  #wakeup = new Wakeup();
  /** Cuts a probe interval short when the server exits. */
  #probeWakeup = new Wakeup();
  #backoff = 0;

  readonly spec: V1Container;
  private readonly ctx: PodContext;

  constructor(spec: V1Container, ctx: PodContext) {
    this.spec = spec;
    this.ctx = ctx;
    this.program = programFor(spec.image);
    this.report = { name: spec.name, image: spec.image ?? '', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 };
  }

  #set(change: Partial<ContainerReport>): void {
    Object.assign(this.report, change);
    this.ctx.changed();
  }

  /** Held before start (a volume or its environment cannot be set up yet): the reason shows as the kubelet's. */
  waiting(reason: string, message: string): void {
    if (this.report.state.waiting?.reason === reason && this.report.state.waiting.message === message) return;
    this.#set({ state: { waiting: { reason, message } } });
  }

  /** Secrets changed: a container waiting for one tries again now (one in back-off keeps waiting it out). */
  secretsChanged(): void {
    if (this.report.state.waiting?.reason === 'CreateContainerConfigError') this.#wakeup.poke();
  }

  /** Runs (and restarts) the container until `stop`. */
  async run(): Promise<void> {
    if (!this.program) {
      // An image with no server here (a sidecar, an exporter): shown running and ready, as kwok shows it.
      this.#set({ state: { running: { startedAt: now() as unknown as Date } }, started: true, ready: true });
      while (!this.#stopping) await this.#wakeup.wait(60_000);
      return;
    }
    while (!this.#stopping) {
      let env: Record<string, string>;
      try {
        env = containerEnv(this.ctx.pod(), this.spec, (name) => this.ctx.secret(name));
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.waiting('CreateContainerConfigError', err.message);
        await this.#wakeup.wait(5000);
        continue;
      }
      const startedAt = now();
      const exit = await this.#runOnce(this.program, env);
      if (this.#stopping) {
        this.#set({ ready: false, state: { terminated: this.#terminated(exit, startedAt) } });
        return;
      }
      const ranFor = Date.now() - Date.parse(startedAt);
      this.#backoff = backoffRestarts(this.#backoff, ranFor);
      const delay = restartDelayMs(this.#backoff);
      const pod = this.ctx.pod();
      this.#set({
        ready: false,
        started: false,
        restartCount: this.report.restartCount + 1,
        lastState: { terminated: this.#terminated(exit, startedAt) },
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${delay / 1000}s restarting failed container=${this.spec.name} pod=${pod.metadata!.name}_${pod.metadata!.namespace}(${pod.metadata!.uid})`,
          },
        },
      });
      await this.#wakeup.wait(delay);
    }
  }

  #terminated(exit: Exit, startedAt: string): NonNullable<V1ContainerState['terminated']> {
    return {
      exitCode: exit.code,
      ...(exit.signal ? { signal: signalNumbers[exit.signal] } : {}),
      reason: exit.code === 0 ? 'Completed' : 'Error',
      startedAt: startedAt as unknown as Date,
      finishedAt: now() as unknown as Date,
      ...(this.report.containerID ? { containerID: this.report.containerID } : {}),
    };
  }

  /** One start: the image's preparation, the server in its sandbox, probes until it exits. */
  async #runOnce(program: ImageProgram, env: Record<string, string>): Promise<Exit> {
    const { paths } = this.ctx;
    const pod = this.ctx.pod();
    const podIP = pod.status!.podIP!;
    mkdirSync(paths.logDir(this.spec.name), { recursive: true });
    const log = openSync(paths.log(this.spec.name, this.report.restartCount), 'a');
    const say = (line: string) => writeSync(log, `[pod-runtime] ${line}\n`);
    try {
      const mounts = this.ctx.volumeMounts(this.spec);
      const imageMounts = await this.#imageDirs(program, mounts);
      const all = [...mounts, ...imageMounts, { source: paths.hosts(), target: '/etc/hosts', readOnly: true }];
      const hostPath = (containerPath: string) => {
        const m = mounts.filter((x) => containerPath === x.target || containerPath.startsWith(`${x.target}/`)).sort((a, b) => b.target.length - a.target.length)[0];
        return m ? m.source + containerPath.slice(m.target.length) : undefined;
      };
      const image: ImageContext = {
        pod,
        container: this.spec,
        podIP,
        env,
        programs: this.ctx.programs,
        repoRoot: this.ctx.repoRoot,
        templates: this.ctx.templates,
        hostPath,
        dirPath: (p) => all.find((m) => m.target === p)!.source,
        run: (command, args, options = {}) => this.#helper(log, command, args, options),
        say,
      };
      await program.prepare?.(image);
      if (this.#stopping) return { code: 0 };
      const script = sandboxScript({ hostname: pod.spec?.hostname ?? pod.metadata!.name!, mounts: all, overlayDir: paths.overlay(this.spec.name), user: program.user, command: program.command(image) });
      const [command, args] = sandboxCommand(script);
      say(`starting ${program.server} for ${pod.metadata!.namespace}/${pod.metadata!.name} on ${podIP}: ${program.command(image).join(' ')}`);
      const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env: { ...imageEnv, HOSTNAME: pod.metadata!.name!, ...env } });
      this.#child = child;
      this.#exited = new Promise<Exit>((resolve) => {
        child.once('exit', (code, signal) => resolve(signal ? { code: 128 + (signalNumbers[signal] ?? 0), signal } : { code: code ?? 1 }));
        child.once('error', (err) => {
          writeSync(log, `[pod-runtime] could not start: ${err.message}\n`);
          resolve({ code: 128 });
        });
      });
      if (child.pid) {
        try {
          recordProcess(paths.pidFile(this.spec.name), child.pid);
        } catch (err) {
          say(`could not record the server's pid (${(err as Error).message}); env:down will not find it if the runtime dies`);
        }
      }
      this.#set({ containerID: `pod-runtime://${pod.metadata!.uid}/${this.spec.name}/${child.pid}`, state: { running: { startedAt: now() as unknown as Date } }, started: true, ready: false });
      const port = this.spec.ports?.[0]?.containerPort;
      let alive = true;
      const probing = this.#probe(podIP, port, program, () => alive);
      const exit = await this.#exited;
      alive = false;
      this.#probeWakeup.poke();
      await probing;
      forgetProcess(paths.pidFile(this.spec.name));
      this.#killGroup();
      say(`${program.server} exited: ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`);
      return exit;
    } catch (err) {
      say(`could not start: ${(err as Error).message}`);
      // Never leave a server behind that nobody watches.
      if (this.#child?.pid && this.#exited) {
        this.#killGroup();
        await this.#exited;
      }
      return { code: 1 };
    } finally {
      this.#child = undefined;
      closeSync(log);
    }
  }

  /** The image's own folders (data, socket, pid, tmp) as folders of the pod's, unless the template mounts them. */
  async #imageDirs(program: ImageProgram, mounts: Mount[]): Promise<Mount[]> {
    const out: Mount[] = [];
    for (const dir of program.dirs) {
      if (mounts.some((m) => m.target === dir.path)) continue;
      const source = dir.persistent ? this.ctx.paths.data(this.spec.name, dir.path) : this.ctx.paths.dir(this.spec.name, dir.path);
      await mkdir(source, { recursive: true });
      if (dir.mode !== undefined) await chmod(source, dir.mode);
      if (dir.owner) await giveTo(source, dir.owner);
      out.push({ source, target: dir.path });
    }
    return out;
  }

  /**
   * Readiness: every 100 ms until the server answers, then every 5 s (the kubelet's default is 10 s); three
   * misses in a row make it unready. (MariaDB logs each probe as an aborted connection: no more often.)
   */
  async #probe(podIP: string, port: number | undefined, program: ImageProgram, alive: () => boolean): Promise<void> {
    let misses = 0;
    while (alive() && !this.#stopping) {
      const ok = port === undefined ? true : await probe(podIP, port, program.probe);
      if (!alive() || this.#stopping) return;
      if (ok) {
        misses = 0;
        if (!this.report.ready) this.#set({ ready: true });
      } else if (this.report.ready && ++misses >= 3) {
        this.#set({ ready: false });
      }
      await this.#probeWakeup.wait(this.report.ready ? 5000 : 100);
    }
  }

  #helper(log: number, command: string, args: string[], options: { input?: string; user?: string }): Promise<void> {
    const [cmd, argv] = asUser(options.user, command, args);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: [options.input === undefined ? 'ignore' : 'pipe', log, log], env: imageEnv });
      if (options.input !== undefined) child.stdin!.end(options.input);
      child.once('error', reject);
      child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`))));
    });
  }

  #killGroup(): void {
    const pid = this.#child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL'); // what the server left behind in its process group (pgpool's children)
    } catch {
      // the group is gone
    }
  }

  /** Stops the container: its stop signal, SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#wakeup.poke();
    const child = this.#child;
    const exited = this.#exited;
    if (!child?.pid || !exited || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, this.program?.stopSignal ?? 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
}
