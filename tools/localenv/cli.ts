// `npm run env:<command>`: build, up, down, status; `npm run kubectl -- …` runs the matching kubectl.
import { buildAll } from './build.ts';
import { down, runKubectl, status, up } from './lifecycle.ts';

const commands: Record<string, (args: string[]) => Promise<number | void>> = {
  build: () => buildAll(),
  up: () => up(),
  down: () => down(),
  status: async () => ((await status()) ? 0 : 1),
  kubectl: (args) => runKubectl(args),
};

const [command = 'status', ...args] = process.argv.slice(2);
const action = commands[command];
if (!action) {
  console.error(`unknown command "${command}"; use one of: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
try {
  process.exitCode = (await action(args)) ?? 0;
} catch (err) {
  console.error(`opsflow localenv: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
