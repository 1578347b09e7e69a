/**
 * The relay a node syncs through, as a person sets it in a window: checked the same way in the
 * window (instant feedback) and in the node (which trusts nothing a window sends).
 */
export interface RelaySettings {
  /** ws:// or wss:// address; a bare host:port gets ws:// and /lattice. */
  readonly url: string
  /** Shared token, '' for none. */
  readonly token: string
}

export interface RelayStatus {
  readonly url: string | null
  readonly hasToken: boolean
  readonly connection: 'off' | 'connecting' | 'open' | 'waiting' | 'closed'
  /** Notes changed on this machine that the relay has not acknowledged as stored. */
  readonly pendingNotes: number
  /** Why the last connection ended or failed, or why the node stopped retrying. */
  readonly lastError: string | null
}

export type SetRelayResult = { readonly ok: true } | { readonly ok: false; readonly error: string }

export const RELAY_OFF: RelayStatus = {
  url: null,
  hasToken: false,
  connection: 'off',
  pendingNotes: 0,
  lastError: null,
}

export class RelaySettingsError extends Error {
  override name = 'RelaySettingsError'
}

/** Normalised settings, or a `RelaySettingsError` saying what is wrong. */
export function parseRelaySettings(input: unknown): RelaySettings {
  if (typeof input !== 'object' || input === null) throw new RelaySettingsError('no settings given')
  const { url, token } = input as Record<string, unknown>
  if (typeof url !== 'string' || url.trim() === '')
    throw new RelaySettingsError('enter the relay address, like ws://192.168.1.20:4444')
  if (token !== undefined && typeof token !== 'string')
    throw new RelaySettingsError('the token must be text')
  const trimmed = url.trim()
  let parsed: URL
  try {
    parsed = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `ws://${trimmed}`)
  } catch {
    throw new RelaySettingsError(`"${trimmed}" is not an address`)
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')
    throw new RelaySettingsError(`use ws:// or wss://, not ${parsed.protocol}//`)
  if (parsed.username || parsed.password)
    throw new RelaySettingsError('put the token in the token field, not in the address')
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/lattice'
  const t = (token ?? '').trim()
  if (t !== '' && t.length < 8) throw new RelaySettingsError('the token is at least 8 characters')
  if (t.length > 512) throw new RelaySettingsError('the token is too long')
  return { url: parsed.toString(), token: t }
}
