// Where the runtime keeps each pod's files under the environment's state (.localenv/pods/, or the folder it
// links to: pods-dir.ts):
//   data/<ns>/<owner>/<pod>/<container>/<dir>   the server's data directory, kept per pod name: it
//                                       outlives the pod as a PersistentVolumeClaim would, so a replacement
//                                       finds it. <owner> is the UID of the pod's controller (its
//                                       StatefulSet): a database deleted and made again starts afresh, as
//                                       KubeDB's WipeOut does (its new auth Secret has a new password)
//   claims/<ns>/<claim>                 a PersistentVolumeClaim volume of the template, per claim name
//   run/<uid>/                          one pod's own: its volumes, emptyDirs, its folders over the server's
//                                       socket/pid/tmp directories, its hosts file; removed with the pod
//   logs/<ns>_<pod>_<uid>/<container>/<restarts>.log   each start's output, kept (the kubelet's layout)
//   pids/<uid>_<container>              the pid of a running server, so a restarted runtime (or env:down)
//                                       can stop what an earlier one left running
//   templates/                          pristine data directories to copy (MariaDB's)
import { join } from 'node:path';

export const slug = (path: string) => path.split('/').filter(Boolean).join('-') || 'root';

export class PodPaths {
  readonly root: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly owner: string;
  readonly run: string;
  constructor(root: string, namespace: string, name: string, uid: string, owner: string) {
    this.root = root;
    this.namespace = namespace;
    this.name = name;
    this.uid = uid;
    this.owner = owner;
    this.run = join(root, 'run', uid);
  }
  data = (container: string, path: string) => join(this.root, 'data', this.namespace, this.owner, this.name, container, slug(path));
  claim = (claimName: string) => join(this.root, 'claims', this.namespace, claimName);
  volume = (name: string) => join(this.run, 'volumes', name);
  emptyDir = (name: string) => join(this.run, 'empty-dirs', name);
  dir = (container: string, path: string) => join(this.run, 'dirs', container, slug(path));
  overlay = (container: string) => join(this.run, 'overlay', container);
  hosts = () => join(this.run, 'hosts');
  logDir = (container: string) => join(this.root, 'logs', `${this.namespace}_${this.name}_${this.uid}`, container);
  log = (container: string, restarts: number) => join(this.logDir(container), `${restarts}.log`);
  pidFile = (container: string) => join(this.root, 'pids', `${this.uid}_${container}`);
}

export const pidsDir = (root: string) => join(root, 'pids');
export const templatesDir = (root: string) => join(root, 'templates');
export const namespaceData = (root: string, namespace: string) => [join(root, 'data', namespace), join(root, 'claims', namespace)];
