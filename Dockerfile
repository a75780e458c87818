# opsflow: the worker and the OpsRequest watcher in one image.
#   docker build -t opsflow:latest .
#   docker run --rm -v ~/.kube/config:/kube/config:ro -e KUBECONFIG=/kube/config \
#     -e TEMPORAL_ADDRESS=<temporal-host>:7233 opsflow:latest
# (docker-compose.yml runs it with a local Temporal; deploy/opsflow/ runs it in a cluster.)
# The project pins Node 24 as the npm package `node` (a devDependency) for dev machines; here the base image
# is that Node, so dev dependencies are left out. Keep NODE_VERSION in step with package.json.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed at runtime. The root preinstall only checks the Node version;
# @swc/core's postinstall only checks that its platform package loads (the optional dependency
# @swc/core-linux-<arch>-gnu installs without it).
# @temporalio/core-bridge has no install script: its prebuilt binaries ship inside the npm package as
# releases/<target>/index.node (glibc targets only, hence a Debian base rather than Alpine).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Keep only this architecture's core-bridge binary (the package ships five targets, ~137 MB).
RUN target="$(uname -m)-unknown-linux-gnu" \
 && test -f "node_modules/@temporalio/core-bridge/releases/$target/index.node" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$target" -exec rm -rf {} +
# The worker bundles workflows/ at start with webpack + swc, in a child process (worker/workflow-bundle.ts).
# @swc/core's Linux addon is a compressed "carrier" that unpacks itself into a per-user cache directory on
# first load, which fails on a read-only root filesystem. Unpack it once here and put the original addon in the
# carrier's place (what swc itself does on btrfs); then check that loading it no longer writes anything.
RUN SWC_NATIVE_BINDING_CACHE=/tmp/swc-unpack node -e "require('@swc/core')" \
 && raw="$(find /tmp/swc-unpack -type f -name '*.node' | head -n 1)" \
 && carrier="$(ls node_modules/@swc/core-linux-*-gnu/swc.linux-*-gnu.node)" \
 && if [ -n "$raw" ]; then cp "$raw" "$carrier" && chmod 0644 "$carrier"; fi \
 && rm -rf /tmp/swc-unpack \
 && SWC_NATIVE_BINDING_CACHE=/tmp/swc-check node -e "require('@swc/core')" \
 && test ! -e /tmp/swc-check

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# package.json's "type": "module" makes Node load the .ts sources as ES modules.
COPY package.json package-lock.json ./
COPY activities ./activities
COPY client ./client
COPY model ./model
COPY platform ./platform
COPY worker ./worker
COPY workflows ./workflows
COPY deploy ./deploy
# The base image's `node` user, by number so that Kubernetes can verify runAsNonRoot. Files stay root-owned:
# the process needs no write access anywhere (readOnlyRootFilesystem works).
USER 1000:1000
# 8080: --health (/healthz, /readyz); 9464: Prometheus metrics when OPSFLOW_METRICS_ADDRESS=0.0.0.0:9464.
EXPOSE 8080 9464
ENTRYPOINT ["node", "client/cli.ts"]
CMD ["start", "--health", "0.0.0.0:8080"]
