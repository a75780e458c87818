// The pod runtime alone: `node tools/pod-runtime/main.ts` (it normally runs in the stand-ins process).
import { runStandIns } from '../stand-in-process.ts';
import { runPodRuntime } from './runtime.ts';

await runStandIns({ 'pod-runtime': runPodRuntime });
