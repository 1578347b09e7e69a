/**
 * The contract between the Electron preload and the renderer: the one object the preload
 * exposes on `window` (through contextBridge), its IPC channels, and the menu commands main
 * sends. Types and constants only, so the preload, main and the renderer can all import it.
 *
 * The sync link itself is not IPC: main hands each window a MessagePort carrying the core's
 * wire protocol. The renderer calls `connect()`; the preload receives the port from main and
 * forwards it to the page with `window.postMessage({ type: PORT_MESSAGE }, '*', [port])`.
 */

import type { LanRequest, LanResult, LanStatus } from './lan-settings'
import type { NodeLinkRequest, NodeLinkResult, NodeLinksStatus } from './node-links'
import type { RelaySettings, RelayStatus, SetRelayResult } from './relay-settings'

export const DESKTOP_GLOBAL = 'latticeDesktop'
export const PORT_MESSAGE = 'lattice:port'

/** Every channel carries the `lattice:` prefix; main checks the sender frame of each. */
export const IPC = {
  /** renderer → main: send me a MessagePort to the node. */
  connect: 'lattice:connect',
  /** main → renderer: a menu item or accelerator fired. */
  menu: 'lattice:menu',
  /** renderer → main: open this http(s) URL in the system browser (validated in main). */
  openExternal: 'lattice:open-external',
  /** renderer → main: open another window. */
  newWindow: 'lattice:new-window',
  /** renderer → main (invoke): the node's link to the relay. */
  relayStatus: 'lattice:relay-status',
  /** renderer → main (invoke): set or clear the relay address and token. */
  setRelay: 'lattice:set-relay',
  /** renderer → main (invoke): LAN mode's status. */
  lanStatus: 'lattice:lan-status',
  /** renderer → main (invoke): a LanRequest (make, join, leave a workspace; peers). */
  lanRequest: 'lattice:lan-request',
  /** renderer → main (invoke): the node's links to other machines and their faults. */
  nodeLinks: 'lattice:node-links',
  /** renderer → main (invoke): a NodeLinkRequest (cut a node link, one way or both, or heal). */
  setNodeLinkFault: 'lattice:set-node-link-fault',
} as const

export const MENU_COMMANDS = [
  'new-note',
  'search',
  'rename',
  'trash',
  'toggle-offline',
  'open-lab',
] as const
export type MenuCommand = (typeof MENU_COMMANDS)[number]

export function isMenuCommand(v: unknown): v is MenuCommand {
  return typeof v === 'string' && (MENU_COMMANDS as readonly string[]).includes(v)
}

export type { RelaySettings, RelayStatus, SetRelayResult } from './relay-settings'
export type { LanRequest, LanResult, LanStatus } from './lan-settings'
export type { NodeLinkRequest, NodeLinkResult, NodeLinksStatus } from './node-links'

export interface DesktopApi {
  readonly platform: string
  /** Asks main for a fresh MessagePort to the node; it arrives as a window message. */
  connect(): void
  onMenu(listener: (command: MenuCommand) => void): () => void
  openExternal(url: string): void
  newWindow(): void
  relayStatus(): Promise<RelayStatus>
  /** null disconnects from the relay and forgets it. */
  setRelay(settings: RelaySettings | null): Promise<SetRelayResult>
  lanStatus(): Promise<LanStatus>
  lanRequest(request: LanRequest): Promise<LanResult>
  /** With `note`, each peer's last acknowledged version of it is related to the node's. */
  nodeLinks(note?: string): Promise<NodeLinksStatus>
  setNodeLinkFault(request: NodeLinkRequest): Promise<NodeLinkResult>
}
