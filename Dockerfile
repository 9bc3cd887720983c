# VocoEng: one image for every role (listener, worker, api, all).
# ROLE picks what the process runs; Cloud Run sets it per service (see cloudbuild.*.yaml).

# --- build: full install (dev dependencies included) and TypeScript compile -> dist/
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay on: the dev dependency `node` fetches its binary in preinstall.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- runtime: production dependencies only, compiled output, the image's own Node 24
FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# App files stay root-owned (read-only for the process); only .data/ (embedded PGlite when
# DATABASE_URL is unset) and the compile cache are the runtime user's.
RUN mkdir -p /app/.data /app/.compile-cache && chown node:node /app/.data /app/.compile-cache
ENV PORT=8080
# Default only: every Cloud Run service overrides ROLE with --set-env-vars.
ENV ROLE=listener
EXPOSE 8080
USER node
# V8's compiled code for every module, left in the image: a cold start reads it instead of
# compiling (bench/RESULTS.md). Warmed as the runtime user: Node keeps one cache per user id.
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN METADATA_SERVER_DETECTION=none node dist/warm-compile-cache.js
CMD ["node", "dist/main.js"]
