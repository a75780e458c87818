// The pod finalizer stand-in, alone: `node tools/pod-finalizer/main.ts`.
import { runStandIns } from '../stand-in-process.ts';
import { runPodFinalizer } from './finalizer.ts';

await runStandIns({ 'pod-finalizer': runPodFinalizer });
