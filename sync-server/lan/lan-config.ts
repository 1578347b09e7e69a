/** LAN mode's settings, from the command line (cli-args.ts) or, later, the app's settings. */
export interface LanConfig {
  /** The workspace secret (pairing-code.ts). */
  readonly secret: Uint8Array
  /** `host:port` of peers to dial whether or not discovery finds them. */
  readonly peers: readonly string[]
  /** Multicast on this IPv4 address's interface only; default: every interface. */
  readonly interface?: string
  /** false: no mDNS at all, only the manual peers (default true). */
  readonly discover?: boolean
}

export class PeerAddressError extends Error {
  override name = 'PeerAddressError'
}

/** `host:port` or `[v6]:port`, checked; throws `PeerAddressError` saying what is wrong. */
export function parsePeerAddress(text: string): string {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim())
  if (!m) throw new PeerAddressError(`peer ${JSON.stringify(text)} is not host:port`)
  const port = Number(m[2])
  if (port < 1 || port > 65535)
    throw new PeerAddressError(`peer ${JSON.stringify(text)}: port must be 1-65535`)
  return `${m[1]}:${port}`
}
