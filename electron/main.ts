// The Electron main process: embeds this machine's node (storage in the user's data folder) and
// bridges each window to it over a MessagePort. Bundled to dist/electron/main.cjs (bundle.ts).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  safeStorage,
  screen,
  session,
  shell,
  type MessagePortMain,
} from 'electron'
import { openMachineNode } from '../sync-server/node/machine-node'
import { parseStatusNote } from '../shared/desktop/node-links'
import { LanControl } from '../sync-server/node/lan-control'
import { NodeLinks } from '../sync-server/node/node-links'
import { RelayUplink } from '../sync-server/node/relay-uplink'
import { createLogger } from '../sync-server/ops/logger'
import { LevelDocStore } from '../sync-server/storage/level-store'
import { AppWindows } from './app-windows'
import { IPC, PORT_CHANNEL } from './ipc-contract'
import { registerIpc } from './ipc'
import { menuTemplate } from './menu'
import { NodeBridge } from './node-bridge'
import { keychainSealer } from './keychain'
import { appFiles } from './paths'
import { isTrustedSender, rendererUrl } from './security'
import { guardAllContents, guardSession } from './session-guard'
import { WindowStateFile } from './window-state'

const log = createLogger()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.enableSandbox()
  guardAllContents(app)
  run().catch((err: Error) => {
    log.error({ err: err.message }, 'the desktop app failed to start')
    dialog.showErrorBox('Lattice could not start', err.message)
    app.exit(1)
  })
}

async function run(): Promise<void> {
  await app.whenReady()
  guardSession(session.defaultSession)

  const dataDir = join(app.getPath('userData'), 'notes')
  await mkdir(dataDir, { recursive: true })
  const store = await LevelDocStore.open(dataDir)
  const node = await openMachineNode({ store, log, forWindows: true })
  log.info({ data: dataDir, node: node.id }, 'node open')
  const sealer = keychainSealer(safeStorage)
  log.info({ secrets: sealer ? sealer.label : 'file (0600)' }, 'where secrets are kept')
  const uplink = await RelayUplink.open(node, join(app.getPath('userData'), 'relay.json'), sealer)
  const lan = await LanControl.open({
    node,
    store,
    file: join(app.getPath('userData'), 'lan.json'),
    sealer,
  })
  const nodeLinks = new NodeLinks(uplink, lan)

  const files = appFiles(app.getAppPath())
  const pageUrl = rendererUrl(files.rendererFile)
  const bridge = new NodeBridge<MessagePortMain>(node.replica, () => new MessageChannelMain())
  const openExternal = (url: string) => void shell.openExternal(url)
  const windows = new AppWindows({
    factory: { BrowserWindow, ...files, openExternal, devTools: !app.isPackaged },
    state: new WindowStateFile(join(app.getPath('userData'), 'window-state.json')),
    workAreas: () => {
      const primary = screen.getPrimaryDisplay()
      const others = screen.getAllDisplays().filter((d) => d.id !== primary.id)
      return [primary, ...others].map((d) => d.workArea)
    },
    onClosed: (contentsId) => bridge.disconnect(contentsId),
  })

  registerIpc({
    ipcMain,
    log,
    isTrusted: (event) => isTrustedSender(event, windows, pageUrl),
    connect: (event) =>
      event.sender.postMessage(PORT_CHANNEL, null, [bridge.connect(event.sender.id)]),
    openExternal,
    newWindow: () => windows.open(),
    relayStatus: () => uplink.status(),
    setRelay: (input) =>
      uplink.configure(input).then(
        () => ({ ok: true as const }),
        (err: Error) => ({ ok: false as const, error: err.message }),
      ),
    lanStatus: () => lan.status(),
    lanRequest: (input) => lan.request(input),
    nodeLinks: (note) => nodeLinks.status(parseStatusNote(note)),
    setNodeLinkFault: (input) => nodeLinks.request(input),
  })

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        {
          command: (command, base) => {
            const win = windows.find(base) ?? (command === 'new-note' ? windows.focus() : undefined)
            win?.webContents.send(IPC.menu, command)
          },
          newWindow: () => windows.open(),
        },
        !app.isPackaged,
      ),
    ),
  )

  app.on('second-instance', () => windows.focus())
  app.on('activate', () => {
    if (windows.count === 0) windows.open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('web-contents-created', (_event, contents) =>
    contents.on('did-fail-load', (_e, code, description, url) =>
      log.error({ code, description, url }, 'a window failed to load the notes UI'),
    ),
  )

  // Quit only once every acknowledged edit is on disk and the store is closed.
  let closing: Promise<void> | null = null
  let closed = false
  app.on('will-quit', (event) => {
    if (closed) return
    event.preventDefault()
    closing ??= (async () => {
      bridge.closeAll()
      uplink.close()
      await lan.close()
      await node
        .close()
        .catch((err: Error) => log.error({ err: err.message }, 'closing the node failed'))
      closed = true
      app.quit()
    })()
  })

  windows.open()
}
