import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// The boundaries of DESIGN.md ("Folders and who may import whom") are lint errors; this proves
// each one fires on a file that breaks it and stays quiet on a file that keeps it.
const root = fileURLToPath(new URL('../../../', import.meta.url))

let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` })
})

const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-globals'])

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  // Export what was imported so no-unused-vars stays out of the way.
  const [result] = await eslint.lintText(`${code}\nexport { a }\n`, { filePath })
  if (!result) throw new Error(`no lint result for ${filePath}`)
  // Parse errors and "file ignored" warnings carry no rule id.
  const unlinted = result.messages.filter((m) => m.ruleId === null).map((m) => m.message)
  expect(unlinted, `${filePath} must parse and not be ignored`).toEqual([])
  return result.messages
    .filter((m) => m.severity === 2 && m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => m.message)
}

const forbidden: [file: string, code: string][] = [
  ['shared/x.ts', "import a from 'node:fs'"],
  ['shared/x.ts', "import a from 'fs/promises'"],
  ['shared/x.ts', "import { a } from 'node:worker_threads'"],
  ['shared/x.ts', "import { a } from '../sync-server/node'"],
  ['shared/deep/x.ts', "import { a } from '../../sync-server'"],
  ['shared/x.ts', "export { b } from '../renderer/lab'\nconst a = 1"],
  ['shared/x.ts', "import type { a } from '../electron/main'"],
  ['shared/x.ts', "import { a } from 'electron'"],
  ['shared/x.ts', "import a from 'ws'"],
  ['shared/x.ts', "import { a } from 'classic-level'"],
  ['shared/x.ts', "import { a } from '../tests/helpers'"],
  ['shared/x.ts', 'const a = window.location'],
  ['shared/x.ts', 'const a = indexedDB'],
  ['shared/x.ts', 'const a = process.env'],
  ['shared/x.ts', "const a = Buffer.from('x')"],
  ['sync-server/x.ts', "import { a } from '../electron/main'"],
  ['sync-server/x.ts', "import { a } from 'electron'"],
  ['sync-server/x.ts', "import { a } from '../renderer/lab'"],
  ['sync-server/x.ts', "import { a } from '../bench/run'"],
  ['electron/main.ts', "import { a } from '../renderer/app'"],
  ['electron/main.ts', "import { a } from '../tests/helpers'"],
  ['electron/preload.ts', "import { a } from '../sync-server/x'"],
  ['electron/preload.ts', "import { a } from '../shared/vv'"],
  ['electron/preload.ts', "import { a } from './main'"],
  ['electron/preload.ts', "import { a } from 'node:path'"],
  ['electron/preload/index.ts', "import { a } from '../../renderer/app'"],
  ['renderer/x.ts', "import { a } from '../electron/main'"],
  ['renderer/x.ts', "import { a } from 'electron'"],
  ['renderer/x.ts', "import { a } from '../sync-server/node'"],
  ['renderer/lab/x.ts', "import { a } from '../../sync-server/node'"],
  ['renderer/x.ts', "import a from 'node:fs'"],
  ['renderer/x.ts', "import a from 'path'"],
  ['renderer/x.ts', "import a from 'ws'"],
  ['renderer/x.ts', 'const a = process.env'],
]

const allowed: [file: string, code: string][] = [
  ['shared/x.ts', "import { a } from './vv'"],
  ['shared/sync/x.ts', "import { a } from '../vv/version-vector'"],
  ['shared/x.ts', "import { a } from './log/events'"],
  ['shared/x.ts', "import * as a from 'yjs'"],
  ['shared/x.ts', "import * as a from '@automerge/automerge'"],
  ['shared/x.ts', 'const a = new TextEncoder()'],
  ['sync-server/x.ts', "import { a } from '../shared/vv'"],
  ['sync-server/x.ts', "import a from 'node:fs'"],
  ['sync-server/x.ts', "import a from 'ws'"],
  ['electron/main.ts', "import { a } from '../shared/vv'"],
  ['electron/main.ts', "import { a } from '../sync-server/node'"],
  ['electron/main.ts', "import { a } from 'electron'"],
  ['electron/preload.ts', "import { a } from 'electron'"],
  ['electron/preload.ts', "import { a } from './ipc-contract'"],
  ['electron/preload/index.ts', "import { a } from '../ipc-contract'"],
  ['renderer/x.ts', "import { a } from '../shared/vv'"],
  ['renderer/x.ts', 'const a = window.indexedDB'],
  ['tests/unit/x.ts', "import { a } from '../../sync-server/node'"],
  ['tests/unit/x.ts', "import a from 'node:child_process'"],
  ['bench/x.ts', "import { a } from '../electron/main'"],
]

describe('import boundaries of DESIGN.md are lint errors', () => {
  it.each(forbidden)('%s: rejects %s', async (file, code) => {
    const errors = await boundaryErrors(file, code)
    expect(errors.length, `expected a boundary error for ${file}: ${code}`).toBeGreaterThan(0)
    expect(errors.join('\n')).toContain('DESIGN.md')
  })

  it.each(allowed)('%s: allows %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([])
  })
})

describe('type rules', () => {
  it('rejects an explicit any', async () => {
    const [result] = await eslint.lintText('export const a = (x: any) => x\n', {
      filePath: 'shared/x.ts',
    })
    const rules = result?.messages.map((m) => m.ruleId)
    expect(rules).toContain('@typescript-eslint/no-explicit-any')
  })
})
