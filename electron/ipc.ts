import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron'
import type { LanResult, LanStatus } from '../shared/desktop/lan-settings'
import type { NodeLinkResult, NodeLinksStatus } from '../shared/desktop/node-links'
import type { RelayStatus, SetRelayResult } from '../shared/desktop/relay-settings'
import type { Logger } from '../sync-server/ops/logger'
import { IPC } from './ipc-contract'
import { isSafeExternalUrl } from './security'

export interface IpcDeps {
  readonly ipcMain: Pick<IpcMain, 'on' | 'handle'>
  /** The sender check (security.ts isTrustedSender, bound to the app's windows). */
  isTrusted(event: IpcMainEvent | IpcMainInvokeEvent): boolean
  /** Give this sender a fresh MessagePort to the node. */
  connect(event: IpcMainEvent): void
  openExternal(url: string): void
  newWindow(): void
  relayStatus(): RelayStatus
  /** Validates (the window is not trusted with that) and applies relay settings. */
  setRelay(input: unknown): Promise<SetRelayResult>
  lanStatus(): LanStatus
  /** Validates (the window is not trusted with that) and carries out a LAN request. */
  lanRequest(input: unknown): Promise<LanResult>
  /** Validates the note id (a bad one throws, so the page's invoke rejects). */
  nodeLinks(note: unknown): NodeLinksStatus
  /** Validates (the window is not trusted with that) and sets a node link's fault. */
  setNodeLinkFault(input: unknown): NodeLinkResult
  readonly log: Logger
}

/** One handler per channel; none runs for a sender that fails the check. */
export function registerIpc(deps: IpcDeps): void {
  const handle = (channel: string, run: (event: IpcMainEvent, arg: unknown) => void) =>
    deps.ipcMain.on(channel, (event: IpcMainEvent, arg: unknown) => {
      if (deps.isTrusted(event)) return run(event, arg)
      deps.log.warn(
        { channel, url: event.senderFrame?.url },
        'ignored IPC from an untrusted sender',
      )
    })

  const answer = <T>(channel: string, run: (arg: unknown) => T | Promise<T>) =>
    deps.ipcMain.handle(channel, (event: IpcMainInvokeEvent, arg: unknown) => {
      if (deps.isTrusted(event)) return run(arg)
      deps.log.warn(
        { channel, url: event.senderFrame?.url },
        'refused IPC from an untrusted sender',
      )
      throw new Error('refused: not a Lattice window')
    })

  handle(IPC.connect, (event) => deps.connect(event))
  answer(IPC.relayStatus, () => deps.relayStatus())
  answer(IPC.setRelay, (input) => deps.setRelay(input))
  answer(IPC.lanStatus, () => deps.lanStatus())
  answer(IPC.lanRequest, (input) => deps.lanRequest(input))
  answer(IPC.nodeLinks, (note) => deps.nodeLinks(note))
  answer(IPC.setNodeLinkFault, (input) => deps.setNodeLinkFault(input))
  handle(IPC.newWindow, () => deps.newWindow())
  handle(IPC.openExternal, (_event, url) => {
    if (isSafeExternalUrl(url)) return deps.openExternal(url)
    deps.log.warn({ url: String(url).slice(0, 200) }, 'refused to open a link that is not http(s)')
  })
}
