import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { IPC, PORT_CHANNEL } from '../../../electron/ipc-contract'
import { MessagePortLink } from '../../../electron/message-port-link'
import { rendererUrl } from '../../../electron/security'
import { docId, replicaId } from '../../../shared/ids'
import { Replica } from '../../../shared/sync/replica'
import type { RelayStatus } from '../../../shared/desktop/relay-settings'
import type { NodeLinkResult, NodeLinksStatus } from '../../../shared/desktop/node-links'
import { LatticeNode } from '../../../sync-server/node/lattice-node'
import { startRelay } from '../../../sync-server/relay'
import { LevelDocStore } from '../../../sync-server/storage/level-store'
import { bundleForTest, type TestBundles } from './bundle-fixture'
import {
  createdWindows,
  fakeElectron,
  loadWithFakeElectron,
  type FakeBrowserWindow,
  type FakeElectron,
  type FakePortMain,
} from './fake-electron'
import { expectLockedDown } from './locked-down'
import { until } from './until'

// The bundled main process (dist/electron/main.cjs, as packaged) run under plain Node with a
// stand-in for Electron's API: real node, real LevelDB in a temporary user data folder, real
// MessagePorts; only windows are pretend.

let bundles: TestBundles
let userData: string
const logLevel = process.env.LATTICE_LOG_LEVEL

beforeAll(async () => {
  bundles = await bundleForTest()
  process.env.LATTICE_LOG_LEVEL = 'silent'
})
afterAll(async () => {
  if (logLevel === undefined) delete process.env.LATTICE_LOG_LEVEL
  else process.env.LATTICE_LOG_LEVEL = logLevel
  await bundles.dispose()
})
beforeEach(async () => {
  userData = await mkdtemp(join(tmpdir(), 'lattice-user-data-'))
  createdWindows.length = 0
})
afterEach(() => rm(userData, { recursive: true, force: true }))

/** Starts the bundled main as a fresh app launch; resolves once its first window exists. */
async function launch(opts: { lock?: boolean } = {}): Promise<FakeElectron> {
  const fake = fakeElectron({ userData, appPath: bundles.appPath, ...opts })
  const before = createdWindows.length
  loadWithFakeElectron(bundles.main, fake)
  if (opts.lock !== false) await until(() => createdWindows.length > before, 'a window opens')
  return fake
}

const page = () => rendererUrl(join(bundles.appPath, 'dist/renderer/index.html'))

/** What the preload does for the page: ask for a port, get it in the reply. */
function connect(
  fake: FakeElectron,
  win: FakeBrowserWindow,
  frame: { url: string; parent: unknown } = { url: page(), parent: null },
) {
  const before = win.webContents.posted.length
  fake.ipcMain.emit(IPC.connect, { sender: win.webContents, senderFrame: frame })
  const reply = win.webContents.posted[before]
  if (!reply) return null
  expect(reply.channel).toBe(PORT_CHANNEL)
  return reply.transfer[0] as FakePortMain
}

async function quit(fake: FakeElectron): Promise<void> {
  for (const win of createdWindows) if (!win.isDestroyed()) win.close()
  await fake.app.quit$
}

function menuItem(fake: FakeElectron, label: string): MenuItemConstructorOptions {
  const walk = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined =>
    items
      .map((i) => (i.label === label ? i : walk((i.submenu as MenuItemConstructorOptions[]) ?? [])))
      .find(Boolean)
  const item = walk((fake.menu?.template ?? []) as MenuItemConstructorOptions[])
  if (!item) throw new Error(`no menu item ${label}`)
  return item
}

/** A relay on 127.0.0.1 with a fresh data folder; `dispose` stops it and removes the folder. */
async function tempRelay(token: string | undefined) {
  const data = await mkdtemp(join(tmpdir(), 'lattice-relay-'))
  const relay = await startRelay({ host: '127.0.0.1', port: 0, data, token, logLevel: 'silent' })
  return Object.assign(relay, {
    async dispose() {
      await relay.stop()
      await rm(data, { recursive: true, force: true })
    },
  })
}

describe('the bundled main process', () => {
  it('opens the node in <userData>/notes, and a note typed in a window is on disk after quit', async () => {
    const fake = await launch()
    const win = createdWindows[0] as FakeBrowserWindow
    expect(fake.app.sandboxed).toBe(true)
    expectLockedDown(win.options)
    expect(win.options.webPreferences?.preload).toBe(
      join(bundles.appPath, 'dist/electron/preload.cjs'),
    )
    expect(win.webContents.loadedFile).toBe(join(bundles.appPath, 'dist/renderer/index.html'))

    const port = connect(fake, win)
    expect(port).not.toBeNull()
    const windowReplica = new Replica({ id: replicaId('window-a'), mode: 'partial' })
    const id = docId('note-desktop')
    windowReplica.attach(new MessagePortLink(port as FakePortMain))
    const doc = windowReplica.open(id, 'yjs')
    doc.insert(0, 'kept on disk')
    // An ack is sent once that version is on disk; the first may be of the empty note.
    let onDisk = false
    windowReplica.events.on((e) => {
      if (e.type === 'ack' && e.doc === id) onDisk ||= doc.unseenBy(e.version) === 0
    })
    await until(() => onDisk, 'the node acknowledges the write')

    await quit(fake)
    expect(fake.app.exitCode).toBeNull()
    const node = await LatticeNode.open({
      store: await LevelDocStore.open(join(userData, 'notes')),
    })
    expect((await node.retain(id, 'yjs')).text()).toBe('kept on disk')
    await node.close()
  })

  it('syncs through the relay a window sets, refuses a bad address, and remembers it', async () => {
    const relay = await tempRelay('relay-token-1')
    try {
      const fake = await launch()
      const win = createdWindows[0] as FakeBrowserWindow
      const senderOf = (w: FakeBrowserWindow) => ({
        sender: w.webContents,
        senderFrame: { url: page(), parent: null },
      })
      const sender = senderOf(win)
      const set = (settings: unknown) => fake.ipcMain.invoke(IPC.setRelay, sender, settings)
      expect(await set({ url: 'http://example.org', token: '' })).toEqual({
        ok: false,
        error: 'use ws:// or wss://, not http://',
      })
      expect(await set({ url: relay.server.url, token: 'relay-token-1' })).toEqual({ ok: true })

      const windowReplica = new Replica({ id: replicaId('window-r'), mode: 'partial' })
      windowReplica.attach(new MessagePortLink(connect(fake, win) as FakePortMain))
      const id = docId('note-via-relay')
      windowReplica.open(id, 'yjs').insert(0, 'to the relay')
      await until(
        () => relay.node.replica.getDoc(id)?.text() === 'to the relay',
        'the note reaches the relay',
      )
      const status = () => fake.ipcMain.invoke(IPC.relayStatus, sender) as Promise<RelayStatus>
      await until(async () => (await status()).pendingNotes === 0, 'the relay acknowledges it')
      expect(await status()).toMatchObject({ connection: 'open', hasToken: true, lastError: null })
      // The token is sealed by the OS keychain, not written out in the clear.
      const stored = await readFile(join(userData, 'relay.json'), 'utf8')
      expect(stored).not.toContain('relay-token-1')
      expect(JSON.parse(stored)).toMatchObject({ sealed: { by: 'os-keychain' } })
      await quit(fake)

      // The next launch reconnects by itself.
      const again = await launch()
      const next = senderOf(createdWindows.at(-1) as FakeBrowserWindow)
      await until(
        async () =>
          ((await again.ipcMain.invoke(IPC.relayStatus, next)) as RelayStatus).connection ===
          'open',
        'the relay reconnects after a restart',
      )
      await quit(again)
    } finally {
      await relay.dispose()
    }
  })

  it("cuts and heals the node's relay link from a window: nothing reaches the relay while cut", async () => {
    const relay = await tempRelay(undefined)
    try {
      const fake = await launch()
      const win = createdWindows[0] as FakeBrowserWindow
      const sender = { sender: win.webContents, senderFrame: { url: page(), parent: null } }
      const invoke = (channel: string, arg?: unknown) =>
        fake.ipcMain.invoke(channel, sender, arg) as Promise<unknown>
      const links = () => invoke(IPC.nodeLinks, 'note-cut') as Promise<NodeLinksStatus>
      const fault = (input: unknown) =>
        invoke(IPC.setNodeLinkFault, input) as Promise<NodeLinkResult>
      expect(await links()).toEqual({ links: [], lanOn: false })
      expect(await fault({ link: 'relay', fault: 'both' })).toEqual({
        ok: false,
        error: 'this node has no link relay',
      })
      await invoke(IPC.setRelay, { url: relay.server.url, token: '' })
      await until(async () => (await links()).links[0]?.connection === 'open', 'relay link opens')
      await expect(invoke(IPC.nodeLinks, '../x')).rejects.toThrow(/invalid note id/)
      expect(await fault({ link: 'relay', fault: 'sideways' })).toMatchObject({ ok: false })

      expect(await fault({ link: 'relay', fault: 'both' })).toMatchObject({ ok: true })
      const windowReplica = new Replica({ id: replicaId('window-cut'), mode: 'partial' })
      windowReplica.attach(new MessagePortLink(connect(fake, win) as FakePortMain))
      const id = docId('note-cut')
      windowReplica.open(id, 'yjs').insert(0, 'held back')
      await until(async () => (await links()).links[0]?.pendingNotes === 1, 'the note pends')
      await new Promise((r) => setTimeout(r, 300))
      expect(relay.node.replica.getDoc(id)?.text() ?? '').toBe('')
      expect((await links()).links[0]).toMatchObject({ fault: 'both', connection: 'open' })

      expect(await fault({ link: 'relay', fault: 'open' })).toMatchObject({ ok: true })
      await until(
        () => relay.node.replica.getDoc(id)?.text() === 'held back',
        'the note reaches the relay after the heal',
      )
      await until(async () => (await links()).links[0]?.pendingNotes === 0, 'the relay ACKs it')
      await quit(fake)
    } finally {
      await relay.dispose()
    }
  })

  it('gives no port to a subframe, another page, or web contents that are not its window', async () => {
    const fake = await launch()
    const win = createdWindows[0] as FakeBrowserWindow
    expect(connect(fake, win, { url: page(), parent: {} })).toBeNull()
    expect(connect(fake, win, { url: 'https://evil.example/', parent: null })).toBeNull()
    fake.ipcMain.emit(IPC.connect, {
      sender: { id: 9999, postMessage: () => expect.fail('answered a stranger') },
      senderFrame: { url: page(), parent: null },
    })
    await quit(fake)
  })

  it('a second instance starts nothing and quits', async () => {
    const fake = await launch({ lock: false })
    await fake.app.quit$
    expect(createdWindows).toHaveLength(0)
    expect(existsSync(join(userData, 'notes'))).toBe(false)
  })

  it('shows an error and exits when another process holds the notes folder', async () => {
    const holder = await LevelDocStore.open(join(userData, 'notes'))
    const fake = fakeElectron({ userData, appPath: bundles.appPath })
    loadWithFakeElectron(bundles.main, fake)
    await fake.app.quit$
    expect(fake.app.exitCode).toBe(1)
    expect(fake.errors[0]?.content).toMatch(/locked/)
    expect(createdWindows).toHaveLength(0)
    await holder.close()
  })

  it('opens the Lab a page asks for in an app window of its own, and nothing else', async () => {
    const fake = await launch()
    const a = createdWindows[0] as FakeBrowserWindow
    const ask = (url: string) => a.webContents.openHandler?.({ url })
    expect(ask(`${page()}?lab=n-lab1&engine=automerge&token=x`)).toEqual({ action: 'deny' })
    expect(createdWindows).toHaveLength(2)
    const lab = createdWindows[1] as FakeBrowserWindow
    expectLockedDown(lab.options)
    expect(lab.webContents.loadedSearch).toBe('?lab=n-lab1&engine=automerge')
    // The new window is an app window: it may connect to the node like the first.
    expect(connect(fake, lab)).toBeDefined()
    for (const url of [
      `${page()}?lab=..%2Fx`,
      `${page()}?note=n-1`,
      'https://example.org/?lab=n-1',
    ])
      expect(ask(url)).toEqual({ action: 'deny' })
    expect(createdWindows).toHaveLength(2)
    await quit(fake)
  })

  it('reopens where the window was, cascades a new window, and relays menu commands', async () => {
    const first = await launch()
    const a = createdWindows[0] as FakeBrowserWindow
    a.bounds = { x: 300, y: 200, width: 1000, height: 700 }
    first.ipcMain.emit(IPC.newWindow, {
      sender: a.webContents,
      senderFrame: { url: page(), parent: null },
    })
    const b = createdWindows[1] as FakeBrowserWindow
    expect(b.options).toMatchObject({ x: 328, y: 228, width: 1000, height: 700 })
    expectLockedDown(b.options)

    const newNote = menuItem(first, 'New Note')
    newNote.click?.({} as never, b as never, {} as never)
    expect(b.webContents.sent).toEqual([{ channel: IPC.menu, args: ['new-note'] }])
    expect(newNote.accelerator).toBe('CmdOrCtrl+N')
    menuItem(first, 'New Window').click?.({} as never, undefined, {} as never)
    expect(createdWindows).toHaveLength(3)

    // The last window closed is the one the next launch restores.
    ;(createdWindows[2] as FakeBrowserWindow).close()
    b.close()
    a.close()
    await first.app.quit$
    expect(JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8'))).toEqual({
      bounds: { x: 300, y: 200, width: 1000, height: 700 },
      maximized: false,
    })

    createdWindows.length = 0
    const second = await launch()
    expect((createdWindows[0] as FakeBrowserWindow).options).toMatchObject({
      x: 300,
      y: 200,
      width: 1000,
      height: 700,
    })
    await quit(second)
  })
})
