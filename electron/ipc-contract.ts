/**
 * The IPC contract as the preload sees it: the shared contract (shared/desktop/api.ts) plus the
 * one channel only main and the preload use. The preload may import nothing else of the project
 * (a sandboxed preload can't require files; esbuild inlines this one).
 */
export * from '../shared/desktop/api'

/**
 * main → preload: the reply to `connect`, carrying the MessagePort to the node in `event.ports`.
 * The preload forwards the port to the page as a `PORT_MESSAGE` window message.
 */
export const PORT_CHANNEL = 'lattice:port-reply'
