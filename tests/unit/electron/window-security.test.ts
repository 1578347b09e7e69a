import { LAN_OFF } from '../../../shared/desktop/lan-settings'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { App, IpcMainEvent, Session } from 'electron'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NO_NODE_LINKS } from '../../../shared/desktop/node-links'
import { RELAY_OFF } from '../../../shared/desktop/relay-settings'
import { ROOT } from '../../../electron/bundle'
import { IPC } from '../../../electron/ipc-contract'
import { registerIpc } from '../../../electron/ipc'
import {
  CONTENT_SECURITY_POLICY,
  isSafeExternalUrl,
  isTrustedSender,
  rendererUrl,
} from '../../../electron/security'
import { guardAllContents, guardSession } from '../../../electron/session-guard'
import { createAppWindow, type WindowDeps } from '../../../electron/window-factory'
import { silentLogger } from '../../../sync-server/ops/logger'
import { bundleForTest, type TestBundles } from './bundle-fixture'
import { expectLockedDown } from './locked-down'
import {
  FakeBrowserWindow,
  FakeIpcMain,
  FakeWebContents,
  fakeElectron,
  preventable,
} from './fake-electron'

const RENDERER = join(ROOT, 'dist/renderer/index.html')
const PAGE = rendererUrl(RENDERER)

function makeWindow(overrides: Partial<WindowDeps> = {}) {
  const opened: string[] = []
  const deps: WindowDeps = {
    BrowserWindow: FakeBrowserWindow as unknown as WindowDeps['BrowserWindow'],
    preloadFile: join(ROOT, 'dist/electron/preload.cjs'),
    rendererFile: RENDERER,
    openExternal: (url) => opened.push(url),
    devTools: false,
    ...overrides,
  }
  const win = createAppWindow(deps, { width: 900, height: 700 }) as unknown as FakeBrowserWindow
  return { win, opened, contents: win.webContents }
}

describe('the window factory', () => {
  it('makes windows sandboxed, context-isolated, without Node, loading only the renderer', () => {
    const { win } = makeWindow()
    expectLockedDown(win.options)
    expect(win.options.webPreferences?.devTools).toBe(false)
    expect(win.options.show).toBe(false)
    expect(win.webContents.loadedFile).toBe(RENDERER)
    win.emit('ready-to-show')
    expect(win.shown).toBe(true)
  })

  it('denies every window.open; only http(s) links go to the system browser', () => {
    const { contents, opened } = makeWindow()
    const open = (url: string) => contents.openHandler?.({ url })
    for (const url of [
      'https://example.org/a',
      'http://example.org/b',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,hi',
      'smb://host/share',
    ])
      expect(open(url)).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://example.org/a', 'http://example.org/b'])
  })

  it('prevents navigation away from the renderer page, frames, redirects and <webview>', () => {
    const { contents, opened } = makeWindow()
    const fire = (name: string, fields: object) => {
      const event = preventable(fields)
      contents.emit(name, event)
      return event.defaultPrevented
    }
    expect(fire('will-navigate', { url: 'https://evil.example/' })).toBe(true)
    expect(opened).toEqual(['https://evil.example/'])
    expect(fire('will-navigate', { url: 'file:///etc/passwd' })).toBe(true)
    expect(fire('will-navigate', { url: `${PAGE}?note=n1#x` })).toBe(false)
    expect(fire('will-frame-navigate', { url: 'https://evil.example/', isMainFrame: false })).toBe(
      true,
    )
    expect(fire('will-frame-navigate', { url: PAGE, isMainFrame: false })).toBe(true)
    expect(fire('will-redirect', { url: 'https://evil.example/' })).toBe(true)
    expect(fire('will-attach-webview', {})).toBe(true)
    expect(opened).toEqual(['https://evil.example/'])
  })

  it('keeps DevTools for development builds only', () => {
    expect(makeWindow({ devTools: true }).win.options.webPreferences?.devTools).toBe(true)
  })
})

describe('no window escapes the factory', () => {
  let bundles: TestBundles
  beforeAll(async () => {
    bundles = await bundleForTest()
  })
  afterAll(() => bundles.dispose())

  const NEW_WINDOW = /new\s+[\w$.]*\b(BrowserWindow|BaseWindow|BrowserView|WebContentsView)\s*\(/g
  const UNSAFE = [
    /nodeIntegration\w*\s*:\s*true/,
    /contextIsolation\s*:\s*false/,
    /sandbox\s*:\s*false/,
    /webSecurity\s*:\s*false/,
    /webviewTag\s*:\s*true/,
    /allowRunningInsecureContent\s*:\s*true/,
    /action\s*:\s*['"]allow['"]/,
  ]

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? sources(join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [join(dir, e.name)]
          : [],
    )
  }

  it('in the sources: one `new BrowserWindow`, in window-factory.ts, and no unsafe setting', () => {
    const hits: string[] = []
    for (const file of sources(join(ROOT, 'electron'))) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(NEW_WINDOW)) hits.push(`${relative(ROOT, file)}: ${m[0]}`)
      for (const bad of UNSAFE) expect(text, `${relative(ROOT, file)}`).not.toMatch(bad)
    }
    expect(hits).toEqual(['electron/window-factory.ts: new deps.BrowserWindow('])
  })

  it('in the bundled main: the same one window constructor, the factory’s', () => {
    const text = readFileSync(bundles.main, 'utf8')
    expect([...text.matchAll(NEW_WINDOW)].map((m) => m[0])).toEqual(['new deps.BrowserWindow('])
    for (const bad of UNSAFE.slice(0, 6)) expect(text).not.toMatch(bad)
  })
})

describe('the session', () => {
  it('sends the strict CSP: nothing remote, no inline or eval scripts, no frames or plugins', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    )
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-src')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'|https?:|\*/)
  })

  it('puts the CSP on every response, refuses permissions but the clipboard, and downloads', () => {
    const fake = fakeElectron({ userData: '/nowhere', appPath: ROOT })
    guardSession(fake.session as unknown as Session)
    const answers: Record<string, boolean> = {}
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-sanitized-write'])
      fake.session.permissionRequest?.({}, permission, (ok) => (answers[permission] = ok))
    expect(answers).toEqual({
      media: false,
      geolocation: false,
      notifications: false,
      'clipboard-sanitized-write': true,
    })
    expect(fake.session.permissionCheck?.({}, 'media')).toBe(false)
    expect(fake.session.devicePermission?.()).toBe(false)
    let headers: Record<string, string[]> | undefined
    fake.session.headersReceived?.({ responseHeaders: { 'X-A': ['1'] } }, (r) => {
      headers = r.responseHeaders
    })
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
    const download = preventable()
    fake.session.emit('will-download', download)
    expect(download.defaultPrevented).toBe(true)
  })

  it('denies window.open and <webview> in web contents the factory did not make', () => {
    const fake = fakeElectron({ userData: '/nowhere', appPath: ROOT })
    guardAllContents(fake.app as unknown as App)
    const stray = new FakeWebContents()
    fake.app.emit('web-contents-created', preventable(), stray)
    expect(stray.openHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' })
    const attach = preventable()
    stray.emit('will-attach-webview', attach)
    expect(attach.defaultPrevented).toBe(true)
  })
})

describe('IPC', () => {
  const windows = new Set([1])
  const event = (sender: number, url: string | null, parent: unknown = null) =>
    ({
      sender: { id: sender },
      senderFrame: url === null ? null : { url, parent },
    }) as unknown as IpcMainEvent

  it('trusts only the top frame of an app window showing the renderer page', () => {
    expect(isTrustedSender(event(1, PAGE), windows, PAGE)).toBe(true)
    expect(isTrustedSender(event(1, `${PAGE}?note=x#y`), windows, PAGE)).toBe(true)
    expect(isTrustedSender(event(2, PAGE), windows, PAGE)).toBe(false)
    expect(isTrustedSender(event(1, PAGE, {}), windows, PAGE)).toBe(false)
    expect(isTrustedSender(event(1, null), windows, PAGE)).toBe(false)
    expect(isTrustedSender(event(1, 'https://evil.example/'), windows, PAGE)).toBe(false)
    expect(isTrustedSender(event(1, 'file:///tmp/index.html'), windows, PAGE)).toBe(false)
  })

  it('runs no handler for an untrusted sender, and opens only http(s) links', async () => {
    const ipcMain = new FakeIpcMain()
    const calls: string[] = []
    registerIpc({
      ipcMain: ipcMain as unknown as Parameters<typeof registerIpc>[0]['ipcMain'],
      log: silentLogger,
      isTrusted: (e) => isTrustedSender(e, windows, PAGE),
      connect: () => calls.push('connect'),
      newWindow: () => calls.push('new-window'),
      openExternal: (url) => calls.push(`open ${url}`),
      relayStatus: () => (calls.push('relay-status'), RELAY_OFF),
      setRelay: async (input) => (calls.push(`set-relay ${JSON.stringify(input)}`), { ok: true }),
      lanStatus: () => (calls.push('lan-status'), LAN_OFF),
      lanRequest: async (input) => (
        calls.push(`lan ${JSON.stringify(input)}`),
        { ok: true, status: LAN_OFF }
      ),
      nodeLinks: (note) => (calls.push(`node-links ${String(note)}`), NO_NODE_LINKS),
      setNodeLinkFault: (input) => (
        calls.push(`node-link ${JSON.stringify(input)}`),
        { ok: true, status: NO_NODE_LINKS }
      ),
    })
    await expect(
      ipcMain.invoke(IPC.lanRequest, event(2, PAGE), { action: 'create' }),
    ).rejects.toThrow(/not a Lattice/)
    expect(await ipcMain.invoke(IPC.lanStatus, event(1, PAGE))).toEqual(LAN_OFF)
    await ipcMain.invoke(IPC.lanRequest, event(1, PAGE), { action: 'leave' })
    expect(calls.splice(0)).toEqual(['lan-status', 'lan {"action":"leave"}'])
    await expect(ipcMain.invoke(IPC.relayStatus, event(2, PAGE))).rejects.toThrow(/not a Lattice/)
    await expect(
      ipcMain.invoke(IPC.setRelay, event(1, 'https://evil.example/'), null),
    ).rejects.toThrow()
    expect(await ipcMain.invoke(IPC.relayStatus, event(1, PAGE))).toEqual(RELAY_OFF)
    await ipcMain.invoke(IPC.setRelay, event(1, PAGE), { url: 'ws://relay:4444' })
    expect(calls.splice(0)).toEqual(['relay-status', 'set-relay {"url":"ws://relay:4444"}'])
    const cut = { link: 'relay', fault: 'both' }
    await expect(ipcMain.invoke(IPC.setNodeLinkFault, event(2, PAGE), cut)).rejects.toThrow(
      /not a Lattice/,
    )
    await expect(ipcMain.invoke(IPC.nodeLinks, event(1, PAGE, {}), 'n')).rejects.toThrow()
    expect(await ipcMain.invoke(IPC.nodeLinks, event(1, PAGE), 'note-1')).toEqual(NO_NODE_LINKS)
    await ipcMain.invoke(IPC.setNodeLinkFault, event(1, PAGE), cut)
    expect(calls.splice(0)).toEqual([
      'node-links note-1',
      'node-link {"link":"relay","fault":"both"}',
    ])
    for (const bad of [event(2, PAGE), event(1, 'https://evil.example/'), event(1, PAGE, {})]) {
      ipcMain.emit(IPC.connect, bad)
      ipcMain.emit(IPC.newWindow, bad)
      ipcMain.emit(IPC.openExternal, bad, 'https://example.org/')
    }
    expect(calls).toEqual([])
    const good = event(1, PAGE)
    ipcMain.emit(IPC.connect, good)
    ipcMain.emit(IPC.newWindow, good)
    for (const url of ['https://example.org/', 'javascript:alert(1)', 'file:///etc', 42])
      ipcMain.emit(IPC.openExternal, good, url)
    expect(calls).toEqual(['connect', 'new-window', 'open https://example.org/'])
  })

  it('accepts as external links only well-formed http(s) URLs without credentials', () => {
    for (const ok of ['https://example.org', 'http://localhost:8080/x?y#z'])
      expect(isSafeExternalUrl(ok), ok).toBe(true)
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'mailto:a@b.c',
      'https://user:pw@example.org',
      'not a url',
      `https://example.org/${'a'.repeat(3000)}`,
      undefined,
    ])
      expect(isSafeExternalUrl(bad), String(bad)).toBe(false)
  })
})
