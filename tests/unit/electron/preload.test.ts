import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DesktopApi, MenuCommand } from '../../../shared/desktop/api'
import { bundleForTest, type TestBundles } from './bundle-fixture'

// The preload under a stand-in 'electron' and window: what the page gets, and what goes to main.
const bridge = vi.hoisted(() => {
  type Listener = (event: { ports: unknown[] }, ...args: unknown[]) => void
  const listeners = new Map<string, Set<Listener>>()
  return {
    exposed: new Map<string, unknown>(),
    sent: [] as unknown[][],
    posted: [] as unknown[][],
    listeners,
    emit(channel: string, event: { ports: unknown[] }, ...args: unknown[]) {
      for (const l of listeners.get(channel) ?? []) l(event, ...args)
    },
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => bridge.exposed.set(key, api),
  },
  ipcRenderer: {
    send: (...args: unknown[]) => bridge.sent.push(args),
    on: (channel: string, l: never) => {
      const set = bridge.listeners.get(channel) ?? new Set()
      set.add(l)
      bridge.listeners.set(channel, set)
    },
    off: (channel: string, l: never) => bridge.listeners.get(channel)?.delete(l),
  },
}))

vi.stubGlobal('window', { postMessage: (...args: unknown[]) => bridge.posted.push(args) })
await import('../../../electron/preload')
const api = bridge.exposed.get('latticeDesktop') as DesktopApi

describe('the preload', () => {
  it('exposes exactly the DesktopApi as window.latticeDesktop, and nothing else', () => {
    expect([...bridge.exposed.keys()]).toEqual(['latticeDesktop'])
    expect(Object.keys(api).sort()).toEqual(
      [
        'connect',
        'lanRequest',
        'lanStatus',
        'newWindow',
        'nodeLinks',
        'onMenu',
        'openExternal',
        'platform',
        'relayStatus',
        'setNodeLinkFault',
        'setRelay',
      ].sort(),
    )
    expect(api.platform).toBe(process.platform)
  })

  it('asks main for a port and hands the port it gets to the page as a window message', () => {
    api.connect()
    expect(bridge.sent.at(-1)).toEqual(['lattice:connect'])
    const port = { fake: 'port' }
    bridge.emit('lattice:port-reply', { ports: [port] })
    expect(bridge.posted).toEqual([[{ type: 'lattice:port' }, '*', [port]]])
    bridge.emit('lattice:port-reply', { ports: [] })
    expect(bridge.posted).toHaveLength(1)
  })

  it('passes on menu commands it knows, drops others, and unsubscribes', () => {
    const got: MenuCommand[] = []
    const off = api.onMenu((c) => got.push(c))
    bridge.emit('lattice:menu', { ports: [] }, 'new-note')
    bridge.emit('lattice:menu', { ports: [] }, 'rm -rf')
    bridge.emit('lattice:menu', { ports: [] }, { command: 'search' })
    off()
    bridge.emit('lattice:menu', { ports: [] }, 'search')
    expect(got).toEqual(['new-note'])
  })

  it('sends one message per method, with the URL as a string', () => {
    api.openExternal('https://example.org/')
    api.newWindow()
    expect(bridge.sent.slice(-2)).toEqual([
      ['lattice:open-external', 'https://example.org/'],
      ['lattice:new-window'],
    ])
  })
})

describe('the bundled preload', () => {
  let bundles: TestBundles
  beforeAll(async () => {
    bundles = await bundleForTest()
  })
  afterAll(() => bundles.dispose())

  it("requires only 'electron' (a sandboxed preload can load nothing else)", () => {
    const text = readFileSync(bundles.preload, 'utf8')
    expect([...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])).toEqual([
      'electron',
    ])
    expect(text).not.toMatch(/\bimport\s*\(/)
    const inputs = Object.keys(bundles.metafiles.preload.inputs).sort()
    expect(inputs).toEqual([
      'electron/ipc-contract.ts',
      'electron/preload.ts',
      'shared/desktop/api.ts',
    ])
  })
})
