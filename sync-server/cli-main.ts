import { parseArgs, UsageError, type ArgDefaults, type RelayConfig } from './cli-args'
import { formatPairingCode, newSecret } from './lan/pairing-code'
import type { Relay } from './relay'

export interface CliSpec {
  /** Shown before messages: "lattice relay". */
  name: string
  help: string
  defaults: ArgDefaults
  start(config: RelayConfig): Promise<Relay>
  /** The one line printed on stdout once listening. */
  banner(relay: Relay, config: RelayConfig): string
}

/** Parses flags, starts, prints one line, and on SIGINT/SIGTERM closes and flushes. */
export async function runCli(spec: CliSpec): Promise<void> {
  let config
  try {
    config = parseArgs(process.argv.slice(2), process.env, spec.defaults)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`${spec.name}: ${err.message}\n`)
    process.exit(2)
  }
  if (config === 'help') {
    process.stdout.write(spec.help + '\n')
    return
  }
  if (config === 'new-workspace') {
    process.stdout.write(formatPairingCode(newSecret()) + '\n')
    process.stderr.write(
      'A new workspace. Give this pairing code only to devices that should hold its notes;\n' +
        'start each node with --lan --workspace <code>.\n',
    )
    return
  }
  let relay: Relay
  try {
    relay = await spec.start(config)
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message}\n`)
    process.exit(1)
  }
  process.stdout.write(spec.banner(relay, config) + '\n')
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
