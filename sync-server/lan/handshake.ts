/**
 * LAN handshake, version 1: two nodes prove to each other that they hold the same workspace
 * secret before a Lattice frame crosses. Transport-free: it takes and returns whole binary
 * frames (lib0 encoding; varString = varUint length + UTF-8, varBytes = varUint length + bytes).
 *
 *   0 HELLO  magic varString "lattice-lan" · version varUint · nodeId varString ·
 *            nonce varBytes (32 fresh random bytes)
 *   1 PROOF  mac varBytes (32 bytes)
 *
 * Each side sends HELLO at once (the dialer when its socket opens, the listener when it accepts)
 * and its PROOF as soon as the peer's HELLO arrives:
 *
 *   mac = HMAC-SHA256(authKey, "lattice-lan-proof-v1" · senderRole · senderNonce ·
 *                              receiverNonce · senderId · receiverId)
 *
 * with each field written as varString / varBytes, and senderRole "dialer" or "listener". A side
 * recomputes the peer's mac and compares in constant time. Only then may it send the peer a
 * Lattice frame: the peer proved the secret. Frames arrive in order, so the peer's own Lattice
 * frames come after its PROOF and are never read unverified. Every frame after the handshake
 * is sealed with keys derived from both nonces (frame-cipher.ts).
 *
 * Why it holds: the mac covers the verifier's fresh nonce, so a recorded transcript replayed
 * later fails; it names the sender's role, so a listener's proof reflected back at it (or a
 * dialer's at a dialer) fails; it names both ids, so a proof for one pair does not pass for
 * another. A side that reads its own id or its own nonce back ends the handshake.
 *
 * Failures close the socket with a code and a reason the peer sees: 4403 wrong workspace
 * secret, 4400 malformed, 4426 other version, 4508 a node dialed itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { isValidId, type ReplicaId } from '../../shared/ids'
import { FrameCipher } from './frame-cipher'
import type { WorkspaceKeys } from './workspace'

export const LAN_MAGIC = 'lattice-lan'
export const LAN_VERSION = 1
export const NONCE_BYTES = 32
const MAC_BYTES = 32
const PROOF_LABEL = 'lattice-lan-proof-v1'

const MSG_HELLO = 0
const MSG_PROOF = 1

export const CLOSE_MALFORMED = 4400
export const CLOSE_WRONG_SECRET = 4403
export const CLOSE_BAD_VERSION = 4426
export const CLOSE_SELF = 4508

export type Role = 'dialer' | 'listener'

export interface HandshakeOptions {
  keys: WorkspaceKeys
  self: ReplicaId
  role: Role
  /** Tests pin it; otherwise 32 bytes from the system's CSPRNG. */
  nonce?: Uint8Array
}

export interface HandshakeFailure {
  readonly code: number
  readonly reason: string
}

/** What to do after a frame: send `reply` if set; then it is over if `peer` or `failure` is. */
export interface HandshakeStep {
  readonly reply?: Uint8Array
  readonly peer?: ReplicaId
  /** With `peer`: seals and opens every frame from now on (frame-cipher.ts). */
  readonly cipher?: FrameCipher
  readonly failure?: HandshakeFailure
}

const fail = (code: number, reason: string): HandshakeStep => ({ failure: { code, reason } })

/** One side of one handshake. `hello` goes out first; feed every frame received to `receive`. */
export class Handshake {
  readonly hello: Uint8Array
  private readonly nonce: Uint8Array
  private peerHello: { id: ReplicaId; nonce: Uint8Array } | null = null
  private over = false

  constructor(private readonly opts: HandshakeOptions) {
    this.nonce = opts.nonce ?? new Uint8Array(randomBytes(NONCE_BYTES))
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, MSG_HELLO)
    encoding.writeVarString(enc, LAN_MAGIC)
    encoding.writeVarUint(enc, LAN_VERSION)
    encoding.writeVarString(enc, opts.self)
    encoding.writeVarUint8Array(enc, this.nonce)
    this.hello = encoding.toUint8Array(enc)
  }

  receive(frame: Uint8Array): HandshakeStep {
    if (this.over) return fail(CLOSE_MALFORMED, 'LAN handshake is already over')
    let step: HandshakeStep
    try {
      step = this.peerHello === null ? this.onHello(frame) : this.onProof(frame)
    } catch {
      step = fail(CLOSE_MALFORMED, 'malformed LAN handshake frame')
    }
    if (step.peer !== undefined || step.failure !== undefined) this.over = true
    return step
  }

  private onHello(frame: Uint8Array): HandshakeStep {
    const dec = decoding.createDecoder(frame)
    if (decoding.readVarUint(dec) !== MSG_HELLO || decoding.readVarString(dec) !== LAN_MAGIC)
      return fail(CLOSE_MALFORMED, 'not a Lattice LAN handshake')
    const version = decoding.readVarUint(dec)
    if (version !== LAN_VERSION)
      return fail(CLOSE_BAD_VERSION, `LAN handshake version ${version}, this node speaks 1`)
    const id = decoding.readVarString(dec)
    const nonce = decoding.readVarUint8Array(dec)
    if (decoding.hasContent(dec) || !isValidId(id) || nonce.length !== NONCE_BYTES)
      return fail(CLOSE_MALFORMED, 'malformed LAN handshake hello')
    if (id === this.opts.self) return fail(CLOSE_SELF, 'this node dialed itself')
    if (timingSafeEqual(nonce, this.nonce)) return fail(CLOSE_MALFORMED, 'reflected nonce')
    this.peerHello = { id: id as ReplicaId, nonce }
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, MSG_PROOF)
    encoding.writeVarUint8Array(
      enc,
      this.mac(this.opts.role, this.nonce, nonce, this.opts.self, this.peerHello.id),
    )
    return { reply: encoding.toUint8Array(enc) }
  }

  private onProof(frame: Uint8Array): HandshakeStep {
    const peer = this.peerHello as { id: ReplicaId; nonce: Uint8Array }
    const dec = decoding.createDecoder(frame)
    if (decoding.readVarUint(dec) !== MSG_PROOF)
      return fail(CLOSE_MALFORMED, 'expected the LAN handshake proof')
    const mac = decoding.readVarUint8Array(dec)
    if (decoding.hasContent(dec) || mac.length !== MAC_BYTES)
      return fail(CLOSE_MALFORMED, 'malformed LAN handshake proof')
    const peerRole: Role = this.opts.role === 'dialer' ? 'listener' : 'dialer'
    const expected = this.mac(peerRole, peer.nonce, this.nonce, peer.id, this.opts.self)
    if (!timingSafeEqual(mac, expected)) return fail(CLOSE_WRONG_SECRET, 'wrong workspace secret')
    const [dialerNonce, listenerNonce] =
      this.opts.role === 'dialer' ? [this.nonce, peer.nonce] : [peer.nonce, this.nonce]
    const cipher = new FrameCipher(
      this.opts.keys.authKey,
      this.opts.role,
      dialerNonce,
      listenerNonce,
    )
    return { peer: peer.id, cipher }
  }

  private mac(
    role: Role,
    senderNonce: Uint8Array,
    receiverNonce: Uint8Array,
    sender: string,
    receiver: string,
  ): Uint8Array {
    const enc = encoding.createEncoder()
    encoding.writeVarString(enc, PROOF_LABEL)
    encoding.writeVarString(enc, role)
    encoding.writeVarUint8Array(enc, senderNonce)
    encoding.writeVarUint8Array(enc, receiverNonce)
    encoding.writeVarString(enc, sender)
    encoding.writeVarString(enc, receiver)
    const hmac = createHmac('sha256', this.opts.keys.authKey)
    return new Uint8Array(hmac.update(encoding.toUint8Array(enc)).digest())
  }
}
