import { mkdir } from 'node:fs/promises'
import { LanMode } from './lan/lan-mode'
import type { LatticeNode } from './node/lattice-node'
import { openMachineNode } from './node/machine-node'
import { startServer, type RunningServer, type ServerOptions } from './net/server'
import { createLogger, type Logger } from './ops/logger'
import type { DocStore } from './storage/doc-store'
import { LevelDocStore } from './storage/level-store'
import type { RelayConfig } from './cli-args'

export interface Relay {
  readonly server: RunningServer
  readonly node: LatticeNode
  readonly store: DocStore
  /** Present in LAN mode (`config.lan`). */
  readonly lan: LanMode | null
  /** Graceful: close connections, flush storage, close the store. */
  stop(): Promise<void>
}

/** A headless node with storage in `config.data`, listening on `config.host:config.port`. */
export async function startRelay(
  config: RelayConfig,
  extra: Pick<ServerOptions, 'serveHttp'> & { forWindows?: boolean; log?: Logger } = {},
): Promise<Relay> {
  const log = extra.log ?? createLogger(config.logLevel)
  await mkdir(config.data, { recursive: true })
  const store = await LevelDocStore.open(config.data)
  const node = await openMachineNode({ store, log, forWindows: extra.forWindows ?? false })
  const lan = config.lan ? new LanMode(node, config.lan) : null
  const server = await startServer(node, {
    host: config.host,
    port: config.port,
    token: config.token,
    store,
    log,
    serveHttp: extra.serveHttp,
    lan: lan?.endpoint,
    // LAN mode listens on every address by default: the other endpoints want a token for that.
    localOnly: lan !== null && config.token === undefined,
  })
  lan?.start(server.port)
  return {
    server,
    node,
    store,
    lan,
    async stop() {
      await lan?.close()
      await server.close()
      await node.close()
    },
  }
}
