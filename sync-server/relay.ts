import { mkdir } from 'node:fs/promises'
import type { LatticeNode } from './node/lattice-node'
import { openMachineNode } from './node/machine-node'
import { startServer, type RunningServer, type ServerOptions } from './net/server'
import { createLogger } from './ops/logger'
import { LevelDocStore } from './storage/level-store'
import type { RelayConfig } from './cli-args'

export interface Relay {
  readonly server: RunningServer
  readonly node: LatticeNode
  /** Graceful: close connections, flush storage, close the store. */
  stop(): Promise<void>
}

/** A headless node with storage in `config.data`, listening on `config.host:config.port`. */
export async function startRelay(
  config: RelayConfig,
  extra: Pick<ServerOptions, 'serveHttp'> & { forWindows?: boolean } = {},
): Promise<Relay> {
  const log = createLogger(config.logLevel)
  await mkdir(config.data, { recursive: true })
  const store = await LevelDocStore.open(config.data)
  const node = await openMachineNode({ store, log, forWindows: extra.forWindows ?? false })
  const server = await startServer(node, {
    host: config.host,
    port: config.port,
    token: config.token,
    store,
    log,
    serveHttp: extra.serveHttp,
  })
  return {
    server,
    node,
    async stop() {
      await server.close()
      await node.close()
    },
  }
}
