/**
 * LAN mode as a window asks for it: make a workspace, join one with its pairing code, leave,
 * and add or remove peers by address where multicast does not reach. The node checks every
 * request (a window is not trusted) and keeps the secret; a window sees the pairing code only
 * in answer to 'create' and 'reveal'.
 */
export type LanRequest =
  | { readonly action: 'create' }
  | { readonly action: 'join'; readonly code: string }
  | { readonly action: 'reveal' }
  | { readonly action: 'leave' }
  | { readonly action: 'add-peer'; readonly address: string }
  | { readonly action: 'remove-peer'; readonly address: string }

export interface LanPeerStatus {
  /** Where this node dials: a manual host:port, or what discovery found. */
  readonly address: string
  readonly manual: boolean
  /** The node that answered there, once it proved the secret. */
  readonly peer: string | null
  readonly connection: 'connecting' | 'open' | 'waiting' | 'closed'
  /** Why the last connection ended, or why dialing stopped (wrong secret: 4403). */
  readonly lastError: string | null
}

export interface LinkedPeer {
  readonly peer: string
  /** Notes changed here since this peer last acknowledged all of them (from its ACKs). */
  readonly pendingNotes: number
}

export interface LanStatus {
  readonly on: boolean
  /** This node's LAN port (peers dial it), null when off. */
  readonly port: number | null
  /** Nodes linked now, whoever dialed, and how many notes changed here each has not stored. */
  readonly linked: readonly LinkedPeer[]
  readonly peers: readonly LanPeerStatus[]
  /** Where the secret is kept: 'os-keychain' or 'file (0600)'. */
  readonly protection: string
}

export type LanResult =
  | { readonly ok: true; readonly status: LanStatus; readonly pairingCode?: string }
  | { readonly ok: false; readonly error: string }

export const LAN_OFF: LanStatus = { on: false, port: null, linked: [], peers: [], protection: '' }

export class LanRequestError extends Error {
  override name = 'LanRequestError'
}

const ACTIONS = ['create', 'join', 'reveal', 'leave', 'add-peer', 'remove-peer'] as const

/** A checked request, or a `LanRequestError` saying what is wrong. */
export function parseLanRequest(input: unknown): LanRequest {
  if (typeof input !== 'object' || input === null) throw new LanRequestError('no request given')
  const { action, code, address } = input as Record<string, unknown>
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number]))
    throw new LanRequestError(`unknown LAN action ${JSON.stringify(action)}`)
  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string' || value.trim() === '') throw new LanRequestError(`enter ${what}`)
    if (value.length > 200) throw new LanRequestError(`${what} is too long`)
    return value.trim()
  }
  switch (action as (typeof ACTIONS)[number]) {
    case 'join':
      return { action: 'join', code: text(code, 'the pairing code') }
    case 'add-peer':
      return {
        action: 'add-peer',
        address: text(address, 'the peer address, like 192.168.1.20:4455'),
      }
    case 'remove-peer':
      return { action: 'remove-peer', address: text(address, 'the peer address') }
    default:
      return { action } as LanRequest
  }
}
