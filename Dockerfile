# The jibao image, built once: dependencies installed and worker/ compiled at build time, so a
# container starts `node bin/jibao.js` straight away (no npm at start, nothing fetched).
#   docker build -t jibao:local .        (docker compose builds it as jibao:local)

# ── build: install every dependency (TypeScript for the compile), compile, drop the dev ones ──
FROM node:22.12.0-bookworm-slim AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# Scripts skipped here because `prepare` needs the sources; dependencies' own install scripts run in `rebuild`.
RUN npm ci --ignore-scripts && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY worker ./worker
RUN npm run build && npm prune --omit=dev

# ── runtime: the compiled package, its production dependencies and the files staff edit ──
FROM node:22.12.0-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production JIBAO_ARCHIVE_DIR=/data/archive JIBAO_OUTBOX_DIR=/data/outbox
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/worker ./worker
COPY --from=build /app/dist ./dist
COPY calendar ./calendar
COPY fonts ./fonts
COPY jobs ./jobs
COPY templates ./templates
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
# The compiled build must be newer than the sources it came from (bin/jibao.js checks): stamp it last.
RUN touch dist/.built && mkdir -p /data && chown node:node /data
USER node
ENTRYPOINT ["node", "/app/bin/jibao.js"]
CMD ["--help"]
