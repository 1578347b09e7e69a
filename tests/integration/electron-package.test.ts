import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { extractAll, extractFile, listPackage } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleElectron, ROOT } from '../../electron/bundle'
import { IPC, PORT_CHANNEL } from '../../electron/ipc-contract'
import { MessagePortLink } from '../../electron/message-port-link'
import { APP_FILES } from '../../electron/paths'
import { rendererUrl } from '../../electron/security'
import { docId, replicaId } from '../../shared/ids'
import { Replica } from '../../shared/sync/replica'
import {
  createdWindows,
  fakeElectron,
  loadWithFakeElectron,
  type FakePortMain,
} from '../unit/electron/fake-electron'
import { until } from '../unit/electron/until'

// `electron-builder --dir` on this machine, which has no Electron binary: a stand-in executable
// carrying Electron's fuse wire takes its place, so the packaging (asar, unpacked native module,
// fuses) is the real thing. Then the packaged main is run from the package under plain Node.

const run = promisify(execFile)
const BIN = join(ROOT, 'node_modules/.bin')
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
/** Electron's fuse wire as shipped: version 1, 8 fuses, each '0' or '1' (its defaults). */
const SHIPPED_WIRE = '10110001'

let work: string
let resources: string
let executable: string

/** A shell script named `electron`, with the sentinel and wire that @electron/fuses flips. */
async function standInElectron(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const wire = `${SENTINEL}\x01${String.fromCharCode(SHIPPED_WIRE.length)}${SHIPPED_WIRE}`
  const script = `#!/bin/sh\n# Stand-in Electron for packaging tests. Fuse wire: ${wire}\necho "stand-in electron: $*"\n`
  await writeFile(join(dir, 'electron'), script, 'latin1')
  await chmod(join(dir, 'electron'), 0o755)
}

/** Every package `name` requires at run time, by name, itself included. */
function runtimeTree(name: string, from = ROOT, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen
  seen.add(name)
  const manifest = createRequire(join(from, 'noop.js')).resolve(`${name}/package.json`)
  const deps = (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object })
    .dependencies
  for (const dep of Object.keys(deps ?? {})) runtimeTree(dep, join(manifest, '..'), seen)
  return seen
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lattice-package-'))
  await run('npm', ['run', '--silent', 'build:renderer'], { cwd: ROOT })
  await bundleElectron()
  await standInElectron(join(work, 'electron-dist'))
  const out = join(work, 'out')
  await run(
    join(BIN, 'electron-builder'),
    [
      '--linux',
      '--dir',
      `-c.electronDist=${join(work, 'electron-dist')}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: ROOT, env: { ...process.env, CI: 'true' } },
  )
  resources = join(out, 'linux-unpacked/resources')
  executable = join(out, 'linux-unpacked/lattice')
}, 300_000)

afterAll(() => rm(work, { recursive: true, force: true }))

describe('electron-builder --dir', () => {
  it('packs main, preload and the renderer with every asset its page loads', async () => {
    const asar = join(resources, 'app.asar')
    const files = new Set(listPackage(asar, { isPack: false }).map((f) => f.replace(/\\/g, '/')))
    for (const file of Object.values(APP_FILES)) expect(files, file).toContain(`/${file}`)
    const html = extractFile(asar, APP_FILES.renderer).toString('utf8')
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1])
    expect(assets.length).toBeGreaterThan(0)
    for (const asset of assets) expect(files, asset).toContain(`/dist/renderer/${asset}`)
    const manifest = JSON.parse(extractFile(asar, 'package.json').toString('utf8'))
    expect(manifest.main).toBe(APP_FILES.main)
    expect([...files].filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([])
  })

  it('ships classic-level and exactly the packages it requires, its binding unpacked', () => {
    const files = listPackage(join(resources, 'app.asar'), { isPack: false })
    const shipped = new Set(
      files.flatMap(
        (f) => /^[/\\]node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)$/.exec(f)?.[1] ?? [],
      ),
    )
    expect([...shipped].sort()).toEqual([...runtimeTree('classic-level')].sort())
    const binding = join(
      resources,
      `app.asar.unpacked/node_modules/classic-level/prebuilds/linux-${process.arch}/classic-level.node`,
    )
    expect(existsSync(binding), binding).toBe(true)
  })

  it('sets the fuses: no run-as-node, no NODE_OPTIONS or inspect, cookies encrypted, asar only', async () => {
    const wire = await getCurrentFuseWire(executable)
    const state = (fuse: FuseV1Options) => String.fromCharCode(wire[fuse] as number)
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      enableCookieEncryption: state(FuseV1Options.EnableCookieEncryption),
      enableNodeOptionsEnvironmentVariable: state(
        FuseV1Options.EnableNodeOptionsEnvironmentVariable,
      ),
      enableNodeCliInspectArguments: state(FuseV1Options.EnableNodeCliInspectArguments),
      enableEmbeddedAsarIntegrityValidation: state(
        FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
      ),
      onlyLoadAppFromAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
    }).toEqual({
      runAsNode: '0',
      enableCookieEncryption: '1',
      enableNodeOptionsEnvironmentVariable: '0',
      enableNodeCliInspectArguments: '0',
      enableEmbeddedAsarIntegrityValidation: '1',
      onlyLoadAppFromAsar: '1',
    })
  })

  it('the packaged main runs from the package: opens a window and stores a note with its LevelDB', async () => {
    const app = join(work, 'extracted')
    extractAll(join(resources, 'app.asar'), app)
    const userData = join(work, 'user-data')
    const fake = fakeElectron({ userData, appPath: app })
    createdWindows.length = 0
    const level = process.env.LATTICE_LOG_LEVEL
    process.env.LATTICE_LOG_LEVEL = 'silent'
    try {
      loadWithFakeElectron(join(app, APP_FILES.main), fake)
    } finally {
      if (level === undefined) delete process.env.LATTICE_LOG_LEVEL
      else process.env.LATTICE_LOG_LEVEL = level
    }
    await until(() => createdWindows.length === 1, 'a window opens')
    const win = createdWindows[0]
    if (!win) throw new Error('no window')
    expect(existsSync(win.webContents.loadedFile ?? '')).toBe(true)
    expect(existsSync(win.options.webPreferences?.preload ?? '')).toBe(true)

    const page = rendererUrl(join(app, APP_FILES.renderer))
    fake.ipcMain.emit(IPC.connect, {
      sender: win.webContents,
      senderFrame: { url: page, parent: null },
    })
    const reply = win.webContents.posted[0]
    expect(reply?.channel).toBe(PORT_CHANNEL)
    const replica = new Replica({ id: replicaId('packaged-window'), mode: 'partial' })
    replica.attach(new MessagePortLink(reply?.transfer[0] as FakePortMain))
    const doc = replica.open(docId('note-packaged'), 'automerge')
    doc.insert(0, 'from the package')
    let onDisk = false
    replica.events.on((e) => {
      if (e.type === 'ack' && e.doc === doc.id) onDisk ||= doc.unseenBy(e.version) === 0
    })
    await until(() => onDisk, 'the packaged node stores the note')
    win.close()
    await fake.app.quit$
    expect(existsSync(join(userData, 'notes'))).toBe(true)
  })
})

describe('npm start where Electron is missing', () => {
  let child: ChildProcess | null = null
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  it('says so in one paragraph, then serves the app to a browser', async () => {
    const data = join(work, 'web-data')
    const noElectron = join(work, 'no-electron')
    await mkdir(noElectron, { recursive: true })
    // Point the electron package at an empty folder: "missing" even where a binary exists.
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'electron/start.ts', '--port', '0', '--data', data],
      {
        cwd: ROOT,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: noElectron, LATTICE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()))
    await until(
      () => /Lattice is running at (http:\S+)/.test(out),
      'the browser host is up',
      120_000,
    )
    const url = (/Lattice is running at (http:\S+)/.exec(out) as RegExpExecArray)[1] as string

    const notice = out.split('\n').find((line) => line.startsWith('Lattice could not open')) ?? ''
    expect(notice).toMatch(/the Electron binary is not installed on this machine/)
    expect(notice).toMatch(/node node_modules\/electron\/install\.js/)
    expect(notice).toContain(`open ${url} in a browser`)
    expect(notice).toContain(`notes are stored in ${data}`)

    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app">')

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    child = null
  })
})
