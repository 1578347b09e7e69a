import { mount } from 'svelte'
import { DESKTOP_GLOBAL, type DesktopApi } from '../shared/desktop/api'
import type { NoteDoc } from '../shared/engine/types'
import { randomId } from '../shared/ids'
import type { NoteEntry } from '../shared/notebook/notebook'
import App from './App.svelte'
import { labRoute, openLabView, startLabPage } from './lab/lab-entry'
import { LanPanel } from './state/lan.svelte'
import { RelayPanel } from './state/relay.svelte'
import { Workspace } from './state/workspace.svelte'
import { browserDial, nodeUrlOf } from './sync/browser-dial'
import { desktopControl, httpControl } from './sync/node-control'
import { portDial } from './sync/port-dial'
import { Presence } from './sync/presence'
import { WindowReplica } from './sync/window-replica'
import './styles.css'

const desktop = (window as unknown as Record<string, DesktopApi | undefined>)[DESKTOP_GLOBAL]

/** Per window, kept across reloads (sessionStorage is per tab and per Electron window). */
function sessionValue(key: string, make: () => string): string {
  const existing = sessionStorage.getItem(key)
  if (existing) return existing
  const value = make()
  sessionStorage.setItem(key, value)
  return value
}

const ORPHAN_CHECK_MS = 30_000

const COLORS = [
  '#e5484d',
  '#f76b15',
  '#ffc53d',
  '#46a758',
  '#12a594',
  '#0090ff',
  '#8e4ec6',
  '#d6409f',
]

/** Edits left in the caches of closed windows, taken in at start and every half minute. */
function adoptOrphansNowAndThen(win: WindowReplica, windowId: string): void {
  const adopt = () =>
    win.adoptOrphans(windowId).then(
      (n) => n > 0 && console.info(`took in the offline edits of ${n} closed window(s)`),
      (err: unknown) => console.error('could not take in a closed window’s edits', err),
    )
  void adopt()
  setInterval(() => void adopt(), ORPHAN_CHECK_MS)
}

async function start(): Promise<void> {
  const windowId = sessionValue('lattice.window', () => randomId())
  const offline = sessionStorage.getItem('lattice.offline') === '1'
  const params = new URLSearchParams(location.search)
  const url = desktop ? 'desktop:node' : nodeUrlOf(location)
  const token = params.get('token') ?? undefined
  const dial = desktop ? portDial(desktop) : browserDial
  const control = desktop ? desktopControl(desktop) : httpControl
  const labNote = labRoute(params)
  if (labNote) return startLabPage(labNote, { url, token, dial }, control)
  const win = await WindowReplica.start({ windowId, offline, url, token, dial })
  adoptOrphansNowAndThen(win, windowId)
  const ws = new Workspace(win)
  const presence = new Presence(win.replica, {
    name: `Window ${windowId.slice(0, 4)}`,
    color: COLORS[windowId.charCodeAt(0) % COLORS.length] as string,
  })

  ws.followUrl()

  const target = document.getElementById('app')
  if (!target) throw new Error('no #app element')
  mount(App, {
    target,
    props: {
      ws,
      presence,
      desktop,
      relay: new RelayPanel(control),
      lan: new LanPanel(control),
      peerName: desktop ? 'this computer' : 'the node',
      openLab: (entry: NoteEntry, doc: NoteDoc, extra: number) =>
        openLabView({ url, token, dial }, control, {
          doc: entry.id,
          engine: entry.engine,
          window: { name: 'This window', doc, link: win.link, replica: win.replica },
          extra,
        }),
    },
  })
  Object.assign(window, { __lattice: { win, ws, presence } })
}

start().catch((err: Error) => {
  document.body.innerHTML = ''
  const p = document.createElement('pre')
  p.className = 'fatal'
  p.textContent = `Lattice could not start: ${err.message}`
  document.body.append(p)
  console.error(err)
})
