// @ts-check
import fs from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Paths below are from the repository root, wherever ESLint is started.
const root = import.meta.dirname;

const features = fs
  .readdirSync(`${root}/web/src/features`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** `room` of server/src may not import the rooms above it (architecture.md: arrows only point down). */
const serverZone = (room, mayNotImport, message) => ({
  target: `./server/src/${room}`,
  from: mayNotImport.map((other) => `./server/src/${other}`),
  message,
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Imports are written with `.js` and resolve to the `.ts` next to them; the TypeScript
  // resolver reads the server, web and e2e tsconfigs so NodeNext and bundler resolution both work.
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, files resolved to .ts are not parsed and no-cycle sees no edges.
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.json', 'web/tsconfig.json', 'e2e/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            // web and server meet only in contract/.
            {
              target: './web',
              from: ['./server', './e2e', './bench'],
              message: 'web meets the server only in contract/.',
            },
            { target: './server', from: './web', message: 'the server meets web only in contract/.' },
            {
              target: './contract',
              from: ['./server', './web'],
              message: 'contract/ is what both sides agree on; it imports neither.',
            },
            // A feature does not import another feature; shared pieces live in lib/ and components/.
            ...features.map((feature) => ({
              target: `./web/src/features/${feature}`,
              from: './web/src/features',
              except: [`./${feature}`],
              message: 'a feature does not import another feature: move the shared piece to lib/ or components/.',
            })),
            {
              target: ['./web/src/lib', './web/src/components'],
              from: ['./web/src/features', './web/src/app'],
              message: 'lib/ and components/ serve the features, not the other way.',
            },
            // http → transfers/sites → ftp/store.
            serverZone('transfers', ['http', 'app.ts', 'main.ts'], 'transfers/ knows nothing of HTTP.'),
            serverZone('sites', ['http', 'transfers', 'app.ts', 'main.ts'], 'sites/ sits below transfers/ and http/.'),
            serverZone(
              'store',
              ['http', 'transfers', 'sites', 'ftp', 'demo', 'app.ts', 'main.ts'],
              'store/ is the bottom: it imports no room above it.',
            ),
          ],
        },
      ],
    },
  },
  // ftp/ is the protocol and nothing else (architecture.md): no other room, no Fastify, ws or SQLite.
  // Its tests may use the harness in server/test/.
  {
    files: ['server/src/ftp/**/*.ts'],
    ignores: ['server/src/ftp/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            {
              target: './server/src/ftp',
              from: '.',
              except: ['./server/src/ftp', './contract', './node_modules'],
              message: 'ftp/ imports nothing outside ftp/ but contract/.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['fastify', 'ws', 'better-sqlite3'].map((name) => ({
            name,
            message: 'ftp/ knows no Fastify, ws or SQLite.',
          })),
          patterns: [{ group: ['@fastify/*'], message: 'ftp/ knows no Fastify.' }],
        },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    // A missing dependency is a stale-value bug, not a style point: fail the lint on it.
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      // Only says the React Compiler would skip a component using TanStack Virtual; the build
      // does not run the compiler, so there is nothing to fix.
      'react-hooks/incompatible-library': 'off',
    },
  },
  // Playwright fixtures that need no other fixture are written `async ({}, use) => …`.
  { files: ['e2e/**/*.ts'], rules: { 'no-empty-pattern': 'off' } },
);
