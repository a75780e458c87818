// Runs before `npm install` on whatever Node the machine has (CommonJS, no dependencies):
// the project itself runs on the Node 24 that npm installs into node_modules.
'use strict';
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`opsflow: Node ${process.versions.node} is too old to install the project; install Node >= 20 with npm (the project then runs on its own pinned Node 24).`);
  process.exit(1);
}
