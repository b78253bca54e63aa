# syntax=docker/dockerfile:1
#
# One image for every hub process: `serve gateway` by default, `serve <cases|escalations|panels|
# learning>` for a subgraph, `migrate` for the one-shot migrations (docs/deploy.md).
#
#   docker build -t safeguarding-hub .
#
# Stages: `manifests` holds only the package files, so both installs below stay cached until a
# dependency changes; `build` compiles with the dev dependencies; `prod-deps` installs without
# them; `runtime` takes the compiled output and the production node_modules, nothing else.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY schema/package.json schema/
COPY subgraphs/kit/package.json subgraphs/kit/
COPY subgraphs/cases/package.json subgraphs/cases/
COPY subgraphs/escalations/package.json subgraphs/escalations/
COPY subgraphs/panels/package.json subgraphs/panels/
COPY subgraphs/learning/package.json subgraphs/learning/
COPY plugins/sdk/package.json plugins/sdk/
COPY plugins/health/package.json plugins/health/
COPY plugins/education/package.json plugins/education/
COPY plugins/police/package.json plugins/police/
COPY gateway/package.json gateway/
COPY cli/package.json cli/
# Development only (benchmarks): its manifest for npm ci, no production dependencies, not shipped.
COPY bench/package.json bench/

FROM manifests AS build
ENV TURBO_TELEMETRY_DISABLED=1
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM manifests AS prod-deps
# A fresh install without dev dependencies rather than a prune of the build stage: the same
# lockfile, and no compiler, test runner or turbo in the image.
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json files and node_modules (root and nested); the @hub/* links point at the folders
# that the dist/ copies below fill in.
COPY --from=prod-deps /app ./
COPY --from=build /app/schema/dist schema/dist
COPY --from=build /app/schema/supergraph.graphql schema/supergraph.graphql
COPY --from=build /app/subgraphs/kit/dist subgraphs/kit/dist
COPY --from=build /app/subgraphs/cases/dist subgraphs/cases/dist
COPY --from=build /app/subgraphs/escalations/dist subgraphs/escalations/dist
COPY --from=build /app/subgraphs/panels/dist subgraphs/panels/dist
COPY --from=build /app/subgraphs/learning/dist subgraphs/learning/dist
COPY --from=build /app/plugins/sdk/dist plugins/sdk/dist
COPY --from=build /app/plugins/health/dist plugins/health/dist
COPY --from=build /app/plugins/education/dist plugins/education/dist
COPY --from=build /app/plugins/police/dist plugins/police/dist
COPY --from=build /app/gateway/dist gateway/dist
COPY --from=build /app/cli/dist cli/dist
# Files stay owned by root: the hub only reads them, and a read-only root filesystem works.
USER node
EXPOSE 4000 4001 4002 4003 4004
STOPSIGNAL SIGTERM
# One image runs any service, each on its own port variable. The check reads the service name from
# PID 1's arguments (`... serve cases`; anything else is treated as the gateway) and the port from
# the service list the hub itself uses (cli/src/serve/services.ts). Compose and Kubernetes define
# their own probes; this one serves a plain `docker run`.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "--input-type=module", "-e", "import { readFileSync } from 'node:fs'; \
import { SERVICES } from '/app/cli/dist/serve/services.js'; \
const args = readFileSync('/proc/1/cmdline', 'utf8').split(String.fromCharCode(0)); \
const service = SERVICES[args[args.indexOf('serve') + 1]] ?? SERVICES.gateway; \
const port = process.env[service.portVariable] || service.defaultPort; \
const res = await fetch('http://127.0.0.1:' + port + '/readyz', { signal: AbortSignal.timeout(4000) }); \
process.exit(res.ok ? 0 : 1);"]
ENTRYPOINT ["node", "cli/dist/main.js"]
CMD ["serve", "gateway"]
