import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  DESKTOP_GLOBAL,
  IPC,
  isMenuCommand,
  PORT_CHANNEL,
  PORT_MESSAGE,
  type DesktopApi,
  type MenuCommand,
  type LanRequest,
  type LanResult,
  type LanStatus,
  type NodeLinkRequest,
  type NodeLinkResult,
  type NodeLinksStatus,
  type RelaySettings,
  type RelayStatus,
  type SetRelayResult,
} from './ipc-contract'

// Runs sandboxed and context-isolated: the page sees only `window.latticeDesktop`, never
// ipcRenderer. One method per message; main validates each and checks who sent it.

ipcRenderer.on(PORT_CHANNEL, (event: IpcRendererEvent) => {
  const [port] = event.ports
  // '*' because a file:// page's origin is opaque ('null'); the message stays in this window.
  if (port) window.postMessage({ type: PORT_MESSAGE }, '*', [port])
})

const api: DesktopApi = {
  platform: process.platform,
  connect: () => ipcRenderer.send(IPC.connect),
  onMenu(listener: (command: MenuCommand) => void) {
    const handler = (_event: IpcRendererEvent, command: unknown) => {
      if (isMenuCommand(command)) listener(command)
    }
    ipcRenderer.on(IPC.menu, handler)
    return () => {
      ipcRenderer.off(IPC.menu, handler)
    }
  },
  openExternal: (url: string) => ipcRenderer.send(IPC.openExternal, String(url)),
  newWindow: () => ipcRenderer.send(IPC.newWindow),
  relayStatus: () => ipcRenderer.invoke(IPC.relayStatus) as Promise<RelayStatus>,
  setRelay: (settings: RelaySettings | null) =>
    ipcRenderer.invoke(IPC.setRelay, settings) as Promise<SetRelayResult>,
  lanStatus: () => ipcRenderer.invoke(IPC.lanStatus) as Promise<LanStatus>,
  lanRequest: (request: LanRequest) =>
    ipcRenderer.invoke(IPC.lanRequest, request) as Promise<LanResult>,
  nodeLinks: (note?: string) => ipcRenderer.invoke(IPC.nodeLinks, note) as Promise<NodeLinksStatus>,
  setNodeLinkFault: (request: NodeLinkRequest) =>
    ipcRenderer.invoke(IPC.setNodeLinkFault, request) as Promise<NodeLinkResult>,
}

contextBridge.exposeInMainWorld(DESKTOP_GLOBAL, api)
