import { HELP, parseArgs, UsageError } from './cli-args'
import { startRelay } from './relay'

async function main(): Promise<void> {
  let config
  try {
    config = parseArgs(process.argv.slice(2), process.env)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`lattice relay: ${err.message}\n`)
    process.exit(2)
  }
  if (config === 'help') {
    process.stdout.write(HELP + '\n')
    return
  }
  const relay = await startRelay(config)
  process.stdout.write(
    `Lattice relay listening on ${relay.server.url} (lattice: ${relay.server.url}/lattice, y-websocket: ${relay.server.url}/<room>; data: ${config.data}; token: ${config.token ? 'required' : 'off'})\n`,
  )
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    relay.node.log.info({ signal }, 'shutting down: closing connections and flushing storage')
    relay.stop().then(
      () => process.exit(0),
      (err: Error) => {
        relay.node.log.error({ err: err.message }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: Error) => {
  process.stderr.write(`lattice relay: ${err.message}\n`)
  process.exit(1)
})
