# One image for the API and the worker (the compose file picks the command).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY worker ./worker
COPY platform ./platform
COPY scripts/seed.ts ./scripts/seed.ts
COPY scripts/token.ts ./scripts/token.ts
COPY scripts/repair.ts ./scripts/repair.ts
COPY scripts/payload-key.ts ./scripts/payload-key.ts
COPY scripts/build-console.ts ./scripts/build-console.ts
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
CMD ["node", "dist/api/server.js"]
