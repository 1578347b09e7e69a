import { parsePeerAddress, PeerAddressError, type LanConfig } from './lan/lan-config'
import { PairingCodeError, parsePairingCode } from './lan/pairing-code'

/** Relay settings from flags, then environment, then defaults. */
export interface RelayConfig {
  host: string
  port: number
  data: string
  token: string | undefined
  logLevel: string
  /** Set in LAN mode (`--lan`). */
  lan?: LanConfig
}

export const HELP = `Lattice relay: a headless Lattice node that stores notes and syncs them.

Usage: npm run relay -- [options]

Options (each also from the environment):
  --host <addr>     address to listen on        LATTICE_HOST   default 127.0.0.1
                    (use 0.0.0.0 to serve your LAN; set a token then;
                    with --lan the default is 0.0.0.0)
  --port <n>        TCP port, 0 for any free    LATTICE_PORT   default 4444
  --data <dir>      storage folder (LevelDB)    LATTICE_DATA   default ./relay-data
  --token <secret>  shared token required by    LATTICE_TOKEN  default none (open)
                    both endpoints (?token=, Authorization: Bearer, X-Lattice-Token)
  --log-level <l>   fatal|error|warn|info|debug LATTICE_LOG_LEVEL default info
  -h, --help        this text

LAN mode: sync directly with the other nodes of a workspace (the devices holding its secret),
found with mDNS or named with --peer; each pair proves the secret before any note crosses.
  --lan                 turn it on (without --token, /lattice and /<room> then serve
                        this machine only)
  --workspace <code>    the workspace's pairing code      LATTICE_WORKSPACE
  --peer <host:port>    also dial this node, where        LATTICE_PEERS (comma-separated)
                        multicast does not reach (repeatable)
  --lan-interface <ip>  multicast on this IPv4 interface  LATTICE_LAN_INTERFACE
                        only (default: every interface)
  --new-workspace       print a new pairing code and exit

Endpoints on the one port:
  ws://host:port/lattice      Lattice protocol (many notes per socket)
  ws://host:port/lattice-lan  LAN peers, who prove the workspace secret first (--lan only)
  ws://host:port/<room>       stock y-websocket protocol (one Yjs document per socket)
  GET /healthz                JSON status        GET /metrics   Prometheus text

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
): RelayConfig | 'help' | 'new-workspace' {
  const flags = new Map<string, string>()
  const switches = new Set<string>()
  const peers: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-h' || arg === '--help') return 'help'
    if (arg === '--lan' || arg === '--new-workspace') {
      switches.add(arg.slice(2))
      continue
    }
    const m = /^--(host|port|data|token|log-level|workspace|peer|lan-interface)(?:=(.*))?$/.exec(
      arg,
    )
    if (!m) throw new UsageError(`unknown option ${arg} (see --help)`)
    const value = m[2] ?? argv[++i]
    if (value === undefined || value.startsWith('--'))
      throw new UsageError(`--${m[1]} needs a value`)
    if (m[1] === 'peer') peers.push(value)
    else flags.set(m[1] as string, value)
  }
  if (switches.has('new-workspace')) return 'new-workspace'
  const pick = (flag: string, name: string, fallback: string) =>
    flags.get(flag) ?? env[name] ?? fallback
  const portText = pick('port', 'LATTICE_PORT', String(defaults.port))
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(portText)}`)
  const token = flags.get('token') ?? env.LATTICE_TOKEN
  if (token !== undefined && token.length < 8)
    throw new UsageError('--token must be at least 8 characters')
  const lan = switches.has('lan')
  const lanFlag = ['workspace', 'lan-interface'].find((f) => flags.has(f)) ?? (peers[0] && 'peer')
  if (!lan && lanFlag) throw new UsageError(`--${lanFlag} needs --lan`)
  return {
    host: pick('host', 'LATTICE_HOST', lan ? '0.0.0.0' : '127.0.0.1'),
    port,
    data: pick('data', 'LATTICE_DATA', defaults.data),
    token: token || undefined,
    logLevel: pick('log-level', 'LATTICE_LOG_LEVEL', 'info'),
    lan: lan ? lanConfig(flags, peers, env) : undefined,
  }
}

function lanConfig(flags: Map<string, string>, peers: string[], env: NodeJS.ProcessEnv): LanConfig {
  const code = flags.get('workspace') ?? env.LATTICE_WORKSPACE
  if (!code)
    throw new UsageError(
      '--lan needs --workspace <pairing code> (or LATTICE_WORKSPACE); make one with --new-workspace',
    )
  const fromEnv = peers.length === 0 ? (env.LATTICE_PEERS ?? '').split(',') : []
  const iface = flags.get('lan-interface') ?? env.LATTICE_LAN_INTERFACE
  if (iface !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(iface))
    throw new UsageError(`--lan-interface must be an IPv4 address, got ${JSON.stringify(iface)}`)
  try {
    return {
      secret: parsePairingCode(code),
      peers: [...peers, ...fromEnv.filter((p) => p.trim() !== '')].map(parsePeerAddress),
      interface: iface || undefined,
    }
  } catch (err) {
    if (err instanceof PairingCodeError) throw new UsageError(`--workspace: ${err.message}`)
    if (err instanceof PeerAddressError) throw new UsageError(`--peer: ${err.message}`)
    throw err
  }
}
