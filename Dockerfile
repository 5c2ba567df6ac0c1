# syntax=docker/dockerfile:1
# Emergency Token as a container image: build with the full toolchain, run the compiled server with
# production dependencies only, as the unprivileged `node` user, on a read-only root filesystem (the only
# writable path is the DATA_DIR volume; /tmp may be a tmpfs). See README "Run it in a container".
#
# Every RUN works relative to its WORKDIR and every cache is a cache mount, so scripts/container-build.ts
# can run these same steps on a host without Docker (that is how the tests check them).
ARG NODE_MAJOR=24

# 1. Build: all dependencies, then the server, bot and CLI (dist/) and the web app (pwa/dist).
FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not run (the build below is explicit); none of the packages needs one.
RUN --mount=type=cache,target=/root/.npm npm ci --prefer-offline --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only: no TypeScript, no tsx, no Vite at run time.
FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --prefer-offline --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime.
FROM node:${NODE_MAJOR}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/home/node/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/pwa/dist ./pwa/dist
USER node
# The embedded database (when DATABASE_URL is unset), the generated APP_SECRET and the server's control
# socket live here, owned by `node`, mode 0700: mount a volume on it.
WORKDIR /home/node
RUN mkdir -m 0700 data
WORKDIR /app
VOLUME ["/home/node/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server stops on SIGTERM: stops accepting, finishes in-flight work, closes the database, exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/server.js"]
