import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { RelayConfig } from '../cli-args'
import { startRelay, type Relay } from '../relay'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { RelayUplink } from '../node/relay-uplink'
import { LanControl } from '../node/lan-control'
import { NodeLinks } from '../node/node-links'
import { nodeApi } from './api'
import { staticFiles } from './static-files'

/** Where `npm run build:renderer` puts the renderer. */
export const RENDERER_DIST = resolve(import.meta.dirname, '../../dist/renderer')

export const WEB_DEFAULTS = { port: 5173, data: './web-data' }

export const WEB_HELP = `Lattice in the browser: this machine's node, serving the notes app over HTTP.
Each browser tab is a window of the app, connected to the node over WebSocket.

Usage: npm run web -- [options]

Options (each also from the environment):
  --host <addr>     address to listen on        LATTICE_HOST   default 127.0.0.1
  --port <n>        TCP port, 0 for any free    LATTICE_PORT   default 5173
  --data <dir>      storage folder (LevelDB)    LATTICE_DATA   default ./web-data
  --token <secret>  token the WebSocket needs   LATTICE_TOKEN  default none
  --log-level <l>   fatal|error|warn|info|debug LATTICE_LOG_LEVEL default info
  -h, --help        this text

Open the printed http:// address; the relay endpoints (/lattice, /<room>, /healthz,
/metrics) answer on the same port.`

/** LATTICE_LAN_PORT: where LAN peers dial this host (default 4455; 0 for any free port). */
function lanPortFromEnv(): number | undefined {
  const text = process.env.LATTICE_LAN_PORT
  if (text === undefined || text === '') return undefined
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`LATTICE_LAN_PORT must be a port number (0-65535), got ${JSON.stringify(text)}`)
  return port
}

/** The node plus the built renderer over HTTP: the whole app in any browser. */
export async function startWebHost(
  config: RelayConfig,
  staticDir = RENDERER_DIST,
): Promise<Relay & { lanControl: LanControl }> {
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error(
      `the renderer is not built (no ${join(staticDir, 'index.html')}); run "npm run build:renderer" first`,
    )
  let api: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null
  const files = staticFiles(staticDir)
  const relay = await startRelay(config, {
    forWindows: true,
    serveHttp: (req, res) => (api?.(req, res) ?? false) || files(req, res),
  })
  const uplink = await RelayUplink.open(relay.node, join(config.data, 'lattice-relay.json'))
  const lan = await LanControl.open({
    node: relay.node,
    store: relay.store,
    file: join(config.data, 'lattice-lan.json'),
    sealer: null,
    port: lanPortFromEnv(),
    interface: process.env.LATTICE_LAN_INTERFACE || undefined,
  })
  api = nodeApi(uplink, lan, new NodeLinks(uplink, lan))
  return {
    ...relay,
    lanControl: lan,
    async stop() {
      uplink.close()
      await lan.close()
      await relay.stop()
    },
  }
}
