import { HELP, RELAY_DEFAULTS } from './cli-args'
import { runCli } from './cli-main'
import { startRelay } from './relay'

await runCli({
  name: 'lattice relay',
  help: HELP,
  defaults: RELAY_DEFAULTS,
  start: startRelay,
  banner: ({ server, lan }, config) =>
    `Lattice relay listening on ${server.url} (lattice: ${server.url}/lattice, y-websocket: ${server.url}/<room>; data: ${config.data}; token: ${config.token ? 'required' : 'off'}${lan ? `; LAN: workspace ${lan.keys.hint}` : ''})`,
})
