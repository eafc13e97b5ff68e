import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** The suites that run on both engines: the API, the queue and the mirror through a built app. */
const POSTGRES_SUITES = [
  'server/test/engine.test.ts',
  'server/src/http/api.test.ts',
  'server/src/http/bookmark-routes.test.ts',
  'server/test/transfers.test.ts',
  'server/test/queue.test.ts',
  'server/test/transfer-files.test.ts',
  'server/test/transfer-trace.test.ts',
  'server/test/planned-transfer.test.ts',
  'server/test/routes-api.test.ts',
  'server/test/site-form.test.ts',
  'server/test/mirror-schedule.test.ts',
  'server/test/faults/source-killed.test.ts',
];

const apiTarget = `http://${process.env.PASV_HOST ?? '127.0.0.1'}:${process.env.PASV_PORT ?? '8080'}`;

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true },
  server: {
    proxy: {
      '/api': {
        target: apiTarget,
        ws: true,
        // pasv answers only the Host names it is known by (DNS rebinding), and lets only its
        // own page's Origin open the live feed: present the dev server's page as pasv's own,
        // and no other page.
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq, request) => {
            if (request.headers.origin === `http://${request.headers.host}`) proxyReq.setHeader('origin', apiTarget);
          });
        },
      },
    },
  },
  test: {
    root: '.',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two forks at least: most integration tests wait on servers, throttles and timers, so a
    // 2-core machine's default of one fork left the suite serial (14.5 min; 8.7 with two).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['server/**/*.test.ts', 'contract/**/*.test.ts', 'web/**/*.test.{ts,tsx}', 'bench/**/*.test.ts'],
        },
      },
      {
        // The app-level suites again, unchanged, on a real PostgreSQL (server/test/postgres-global.ts).
        extends: true,
        test: {
          name: 'postgres',
          include: POSTGRES_SUITES,
          globalSetup: ['server/test/postgres-global.ts'],
        },
      },
    ],
  },
});
