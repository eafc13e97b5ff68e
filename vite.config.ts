import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

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
    include: ['server/**/*.test.ts', 'contract/**/*.test.ts', 'web/**/*.test.{ts,tsx}', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
