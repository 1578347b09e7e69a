// A stand-in for the slice of Electron's main-process API that electron/ uses, so the bundled
// main runs under plain Node (this machine has no Electron binary). MessageChannelMain is real
// underneath: Node's MessageChannel, which structured-clones frames as Electron does.
import { EventEmitter } from 'node:events'
import Module from 'node:module'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron'

export interface PreventableEvent {
  defaultPrevented: boolean
  preventDefault(): void
}

export function preventable<T extends object>(fields: T = {} as T): T & PreventableEvent {
  return {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true
    },
  }
}

/** Electron's MessagePortMain over one end of Node's MessageChannel. */
export class FakePortMain extends EventEmitter {
  constructor(readonly port: MessagePort) {
    super()
    port.on('message', (data: unknown) => this.emit('message', { data, ports: [] }))
    port.on('close', () => this.emit('close'))
  }
  start(): void {
    this.port.start()
  }
  postMessage(message: unknown): void {
    this.port.postMessage(message)
  }
  close(): void {
    this.port.close()
  }
}

export class FakeMessageChannelMain {
  readonly port1: FakePortMain
  readonly port2: FakePortMain
  constructor() {
    const { port1, port2 } = new MessageChannel()
    this.port1 = new FakePortMain(port1)
    this.port2 = new FakePortMain(port2)
  }
}

type OpenHandler = (details: { url: string }) => { action: string }

export class FakeWebContents extends EventEmitter {
  private static nextId = 100
  readonly id = FakeWebContents.nextId++
  openHandler: OpenHandler | null = null
  loadedFile: string | null = null
  /** The query `loadFile` was given (`?lab=…`), if any. */
  loadedSearch: string | null = null
  readonly sent: { channel: string; args: unknown[] }[] = []
  readonly posted: { channel: string; message: unknown; transfer: unknown[] }[] = []

  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  postMessage(channel: string, message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ channel, message, transfer })
  }
}

/** Every BrowserWindow the code under test made, in order. */
export const createdWindows: FakeBrowserWindow[] = []

export class FakeBrowserWindow extends EventEmitter {
  private static nextId = 1
  /** Set by fakeElectron: how windows tell the fake app about themselves. */
  static harness: { created(win: FakeBrowserWindow): void; closed(): void } | null = null
  readonly id = FakeBrowserWindow.nextId++
  readonly webContents = new FakeWebContents()
  bounds: Rectangle
  maximized = false
  destroyed = false
  shown = false

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super()
    this.bounds = {
      x: options.x ?? 100,
      y: options.y ?? 100,
      width: options.width ?? 800,
      height: options.height ?? 600,
    }
    createdWindows.push(this)
    FakeBrowserWindow.harness?.created(this)
  }
  loadFile(file: string, options?: { search?: string }): Promise<void> {
    this.webContents.loadedFile = file
    this.webContents.loadedSearch = options?.search ?? null
    return Promise.resolve()
  }
  show(): void {
    this.shown = true
  }
  getBounds(): Rectangle {
    return { ...this.bounds }
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds }
  }
  isMaximized(): boolean {
    return this.maximized
  }
  maximize(): void {
    this.maximized = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  isMinimized(): boolean {
    return false
  }
  restore(): void {}
  focus(): void {
    this.emit('focus')
  }
  /** What the user closing the window does. */
  close(): void {
    this.emit('close', preventable())
    this.destroyed = true
    this.emit('closed')
    this.webContents.emit('destroyed')
    FakeBrowserWindow.harness?.closed()
  }
}

export const WORK_AREA: Rectangle = { x: 0, y: 0, width: 1920, height: 1080 }

class FakeApp extends EventEmitter {
  isPackaged = false
  sandboxed = false
  exitCode: number | null = null
  /** Resolves when the app has quit (after every will-quit handler let it). */
  readonly quit$: Promise<void>
  private markQuit!: () => void

  constructor(
    private readonly paths: { userData: string; appPath: string },
    private readonly lock: boolean,
  ) {
    super()
    this.quit$ = new Promise((resolve) => (this.markQuit = resolve))
  }
  requestSingleInstanceLock(): boolean {
    return this.lock
  }
  enableSandbox(): void {
    this.sandboxed = true
  }
  whenReady(): Promise<void> {
    return Promise.resolve()
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`fake app has no path ${name}`)
    return this.paths.userData
  }
  getAppPath(): string {
    return this.paths.appPath
  }
  quit(): void {
    this.emit('before-quit', preventable())
    const event = preventable()
    this.emit('will-quit', event)
    if (!event.defaultPrevented) this.markQuit()
  }
  exit(code = 0): void {
    this.exitCode = code
    this.markQuit()
  }
}

class FakeSession extends EventEmitter {
  permissionRequest: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null
  permissionCheck: ((c: unknown, p: string) => boolean) | null = null
  devicePermission: (() => boolean) | null = null
  headersReceived:
    | ((
        d: { responseHeaders?: Record<string, string[]> },
        cb: (r: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | null = null
  readonly webRequest = {
    onHeadersReceived: (fn: NonNullable<FakeSession['headersReceived']>) => {
      this.headersReceived = fn
    },
  }
  setPermissionRequestHandler(fn: NonNullable<FakeSession['permissionRequest']>): void {
    this.permissionRequest = fn
  }
  setPermissionCheckHandler(fn: NonNullable<FakeSession['permissionCheck']>): void {
    this.permissionCheck = fn
  }
  setDevicePermissionHandler(fn: () => boolean): void {
    this.devicePermission = fn
  }
}

/** ipcMain: `on` channels as events, `handle` channels answered through `invoke`. */
export class FakeIpcMain extends EventEmitter {
  private readonly handlers = new Map<string, (event: unknown, arg: unknown) => unknown>()

  handle(channel: string, handler: (event: unknown, arg: unknown) => unknown): void {
    this.handlers.set(channel, handler)
  }

  /** What `ipcRenderer.invoke` does: a rejected promise when the handler throws. */
  async invoke(channel: string, event: unknown, arg?: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return handler(event, arg)
  }
}

export interface FakeElectron {
  /** What `require('electron')` returns. */
  readonly module: Record<string, unknown>
  readonly app: FakeApp
  readonly ipcMain: FakeIpcMain
  readonly session: FakeSession
  readonly opened: string[]
  readonly errors: { title: string; content: string }[]
  menu: { template: unknown[] } | null
  /** Every web contents made, windows' and others'. */
  readonly contents: FakeWebContents[]
}

export function fakeElectron(opts: {
  userData: string
  appPath: string
  lock?: boolean
}): FakeElectron {
  const app = new FakeApp(opts, opts.lock ?? true)
  const session = new FakeSession()
  const fake: FakeElectron = {
    app,
    ipcMain: new FakeIpcMain(),
    session,
    opened: [],
    errors: [],
    menu: null,
    contents: [],
    module: {},
  }
  FakeBrowserWindow.harness = {
    created(win) {
      fake.contents.push(win.webContents)
      app.emit('web-contents-created', preventable(), win.webContents)
    },
    closed() {
      if (createdWindows.every((w) => w.isDestroyed())) app.emit('window-all-closed')
    },
  }
  Object.assign(fake.module, {
    app,
    BrowserWindow: FakeBrowserWindow,
    MessageChannelMain: FakeMessageChannelMain,
    ipcMain: fake.ipcMain,
    session: { defaultSession: session },
    shell: {
      openExternal: (url: string) => {
        fake.opened.push(url)
        return Promise.resolve()
      },
    },
    dialog: {
      showErrorBox: (title: string, content: string) => fake.errors.push({ title, content }),
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] }) => (fake.menu = menu),
    },
    safeStorage: fakeKeychain(),
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: WORK_AREA }),
      getAllDisplays: () => [{ id: 1, workArea: WORK_AREA }],
    },
  })
  return fake
}

/**
 * Stands in for the OS keychain: "encrypts" by XOR with a key only it holds, so a test can tell
 * sealed bytes from the plain text and open them again.
 */
export function fakeKeychain() {
  const key = 0x5a
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ key))
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (plain: string) => xor(Buffer.from(`sealed:${plain}`)),
    decryptString: (sealed: Buffer) => {
      const text = xor(sealed).toString()
      if (!text.startsWith('sealed:')) throw new Error('not sealed by this keychain')
      return text.slice('sealed:'.length)
    },
  }
}

type Load = (request: string, parent: unknown, isMain: boolean) => unknown

/**
 * Loads a CommonJS bundle with `require('electron')` answered by `fake`. Returns the bundle's
 * exports; the hook is removed before this returns (the bundle requires electron at load).
 * The bundle carries its own Yjs, so Yjs warns that it "was already imported" (by the test):
 * expected here, and harmless, since only bytes cross between the two.
 */
export function loadWithFakeElectron(file: string, fake: FakeElectron): unknown {
  const mod = Module as unknown as { _load: Load; _cache: Record<string, unknown> }
  const original = mod._load
  mod._load = function (request, parent, isMain) {
    if (request === 'electron') return fake.module
    return original.call(this, request, parent, isMain)
  }
  try {
    delete mod._cache[file]
    return Module.createRequire(file)(file)
  } finally {
    mod._load = original
  }
}
