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
# DATABASE_URL is unset) is writable by the runtime user.
RUN mkdir -p /app/.data && chown node:node /app/.data
ENV PORT=8080
# Default only: every Cloud Run service overrides ROLE with --set-env-vars.
ENV ROLE=listener
EXPOSE 8080
USER node
CMD ["node", "dist/main.js"]
