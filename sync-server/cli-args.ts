/** Relay settings from flags, then environment, then defaults. */
export interface RelayConfig {
  host: string
  port: number
  data: string
  token: string | undefined
  logLevel: string
}

export const HELP = `Lattice relay: a headless Lattice node that stores notes and syncs them.

Usage: npm run relay -- [options]

Options (each also from the environment):
  --host <addr>     address to listen on        LATTICE_HOST   default 127.0.0.1
                    (use 0.0.0.0 to serve your LAN; set a token then)
  --port <n>        TCP port, 0 for any free    LATTICE_PORT   default 4444
  --data <dir>      storage folder (LevelDB)    LATTICE_DATA   default ./relay-data
  --token <secret>  shared token required by    LATTICE_TOKEN  default none (open)
                    both endpoints (?token=, Authorization: Bearer, X-Lattice-Token)
  --log-level <l>   fatal|error|warn|info|debug LATTICE_LOG_LEVEL default info
  -h, --help        this text

Endpoints on the one port:
  ws://host:port/lattice   Lattice protocol (many notes per socket)
  ws://host:port/<room>    stock y-websocket protocol (one Yjs document per socket)
  GET /healthz             JSON status        GET /metrics   Prometheus text

Logs are JSON lines on stderr; stdout gets one line with the listening address.
SIGINT/SIGTERM close connections, flush storage and exit.`

export class UsageError extends Error {
  override name = 'UsageError'
}

export interface ArgDefaults {
  port: number
  data: string
}

export const RELAY_DEFAULTS: ArgDefaults = { port: 4444, data: './relay-data' }

export function parseArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: ArgDefaults = RELAY_DEFAULTS,
): RelayConfig | 'help' {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-h' || arg === '--help') return 'help'
    const m = /^--(host|port|data|token|log-level)(?:=(.*))?$/.exec(arg)
    if (!m) throw new UsageError(`unknown option ${arg} (see --help)`)
    const value = m[2] ?? argv[++i]
    if (value === undefined || value.startsWith('--'))
      throw new UsageError(`--${m[1]} needs a value`)
    flags.set(m[1] as string, value)
  }
  const pick = (flag: string, name: string, fallback: string) =>
    flags.get(flag) ?? env[name] ?? fallback
  const portText = pick('port', 'LATTICE_PORT', String(defaults.port))
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(portText)}`)
  const token = flags.get('token') ?? env.LATTICE_TOKEN
  if (token !== undefined && token.length < 8)
    throw new UsageError('--token must be at least 8 characters')
  return {
    host: pick('host', 'LATTICE_HOST', '127.0.0.1'),
    port,
    data: pick('data', 'LATTICE_DATA', defaults.data),
    token: token || undefined,
    logLevel: pick('log-level', 'LATTICE_LOG_LEVEL', 'info'),
  }
}
