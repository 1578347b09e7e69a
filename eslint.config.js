// ESLint flat config. The import boundaries below are DESIGN.md's table "Folders and who may
// import whom", enforced as errors; tests/unit/lint/import-boundaries.test.ts proves each fires.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import svelte from 'eslint-plugin-svelte'
import tseslint from 'typescript-eslint'

const RULE = 'DESIGN.md, "Folders and who may import whom"'

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** Matches a bare module name or any subpath of it: `ws`, `ws/lib/x`, never `./ws`. */
const modules = (names) => `^(${names.map(escape).join('|')})(/|$)`

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/'))
// npm packages that only run under Node. ('electron' itself is caught by folder('electron').)
const nodeOnlyPackages = [
  'ws',
  'classic-level',
  'prom-client',
  '@y/websocket-server',
  'bonjour-service',
]

/** A project folder, reached by any relative path (`../x`, `../../x/y`). */
const folder = (name, message) => ({
  group: [`**/${name}`, `**/${name}/**`],
  message: `${message} (${RULE}).`,
})

const noNodeBuiltins = (where) => ({
  regex: `^node:|${modules(nodeBuiltins)}`,
  message: `${where} must not import Node built-ins (${RULE}).`,
})
const noNodeOnlyPackages = (where) => ({
  regex: modules(nodeOnlyPackages),
  message: `${where} must not import Node-only packages (${RULE}).`,
})

const restrictImports = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
})

/** Globals that exist only in a browser or only in Node. */
const restrictGlobals = (names, message) => ({
  'no-restricted-globals': [
    'error',
    ...names.map((name) => ({ name, message: `${message} (${RULE}).` })),
  ],
})
const browserOnly = [
  'window',
  'self',
  'document',
  'location',
  'navigator',
  'indexedDB',
  'localStorage',
  'sessionStorage',
]
const nodeOnly = ['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global']

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    'bench/results/',
    'coverage/',
    'test-results/',
    'playwright-report/',
    '**/.vite/',
  ]),

  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  // --- Import boundaries. In flat config a later object replaces a rule's options for the files
  // it matches, so every object below lists its folder's complete set of restrictions.

  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals.es2021, ...globals['shared-node-browser'] } },
    rules: {
      ...restrictImports(
        folder('sync-server', 'shared/ must not import sync-server/'),
        folder('electron', 'shared/ must not import electron/ or Electron'),
        folder('renderer', 'shared/ must not import renderer/'),
        folder('tests', 'shared/ must not import tests/'),
        folder('bench', 'shared/ must not import bench/'),
        noNodeBuiltins('shared/'),
        noNodeOnlyPackages('shared/'),
      ),
      ...restrictGlobals(
        [...browserOnly, ...nodeOnly],
        'shared/ runs anywhere: no browser or Node globals; take what you need as a parameter',
      ),
    },
  },

  {
    files: ['sync-server/**/*.ts'],
    rules: restrictImports(
      folder('electron', 'sync-server/ must not import electron/ or Electron'),
      folder('renderer', 'sync-server/ must not import renderer/'),
      folder('tests', 'sync-server/ must not import tests/'),
      folder('bench', 'sync-server/ must not import bench/'),
    ),
  },

  {
    files: ['electron/**/*.ts'],
    rules: restrictImports(
      folder('renderer', 'electron/ must not import renderer/ (windows load it by URL)'),
      folder('tests', 'electron/ must not import tests/'),
      folder('bench', 'electron/ must not import bench/'),
    ),
  },

  {
    // The preload runs sandboxed inside every window: it gets 'electron' (contextBridge,
    // ipcRenderer) and the IPC contract, nothing else.
    files: ['electron/preload*', 'electron/preload*/**/*.ts'],
    rules: restrictImports({
      regex: '^(?!electron$|(\\.{1,2}/)+ipc-contract([./][^/]*)?$)',
      message: `electron/preload may import only 'electron' and the IPC contract (electron/ipc-contract) (${RULE}).`,
    }),
  },

  ...svelte.configs['flat/recommended'].map((c) => ({ ...c, files: ['renderer/**/*.svelte'] })),
  {
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },

  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { globals: globals.browser },
    rules: {
      ...restrictImports(
        folder(
          'sync-server',
          'renderer/ must not import sync-server/; talk to the node over a link',
        ),
        folder(
          'electron',
          'renderer/ must not import electron/ or Electron; use the preload bridge',
        ),
        folder('tests', 'renderer/ must not import tests/'),
        folder('bench', 'renderer/ must not import bench/'),
        noNodeBuiltins('renderer/'),
        noNodeOnlyPackages('renderer/'),
      ),
      ...restrictGlobals(nodeOnly, 'renderer/ runs in a browser: Node globals do not exist there'),
    },
  },
])
