import { runCli } from '../cli-main'
import { startWebHost, WEB_DEFAULTS, WEB_HELP } from './host'

await runCli({
  name: 'lattice web',
  help: WEB_HELP,
  defaults: WEB_DEFAULTS,
  start: (config) => startWebHost(config),
  banner: ({ server }, config) =>
    `Lattice is running at ${server.url.replace(/^ws/, 'http')}/ (data: ${config.data}; open it in a browser, each tab is a window)`,
})
