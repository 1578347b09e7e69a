import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import type { Role } from './handshake'

/**
 * Every frame after the LAN handshake is sealed with AES-256-GCM, so a note crossing the LAN is
 * unreadable to others on it and a changed, dropped, replayed or reordered frame ends the link.
 *
 * Each direction has its own key, derived from the workspace's auth key and the handshake's two
 * fresh nonces (so no two links share a key), and its own frame counter as the 96-bit GCM
 * nonce. WebSocket frames arrive in order, so the counter is implicit: the receiver expects
 * frame n to be sealed under nonce n, and anything else fails authentication.
 *
 *   key(direction) = HMAC-SHA256(authKey, "lattice-lan-frames-v1" · direction ·
 *                                dialerNonce · listenerNonce)      direction: "dialer" | "listener"
 *   frame on the wire = ciphertext · 16-byte tag
 */
const LABEL = 'lattice-lan-frames-v1'
const TAG_BYTES = 16
const IV_BYTES = 12

export class FrameAuthError extends Error {
  constructor() {
    super('LAN frame failed authentication')
    this.name = 'FrameAuthError'
  }
}

function directionKey(
  authKey: Uint8Array,
  sender: Role,
  dialerNonce: Uint8Array,
  listenerNonce: Uint8Array,
): Buffer {
  return createHmac('sha256', authKey)
    .update(LABEL)
    .update(sender)
    .update(dialerNonce)
    .update(listenerNonce)
    .digest()
}

function iv(counter: bigint): Buffer {
  const out = Buffer.alloc(IV_BYTES)
  out.writeBigUInt64BE(counter, IV_BYTES - 8)
  return out
}

/** One side's sealing of its outgoing frames and opening of the peer's. */
export class FrameCipher {
  private readonly sendKey: Buffer
  private readonly receiveKey: Buffer
  private sent = 0n
  private received = 0n

  constructor(authKey: Uint8Array, role: Role, dialerNonce: Uint8Array, listenerNonce: Uint8Array) {
    const peer: Role = role === 'dialer' ? 'listener' : 'dialer'
    this.sendKey = directionKey(authKey, role, dialerNonce, listenerNonce)
    this.receiveKey = directionKey(authKey, peer, dialerNonce, listenerNonce)
  }

  seal(frame: Uint8Array): Uint8Array {
    const cipher = createCipheriv('aes-256-gcm', this.sendKey, iv(this.sent++))
    const body = cipher.update(frame)
    cipher.final()
    return Buffer.concat([body, cipher.getAuthTag()])
  }

  /** The frame's plain bytes; throws `FrameAuthError` for anything not sealed as frame n. */
  open(sealed: Uint8Array): Uint8Array {
    if (sealed.length < TAG_BYTES) throw new FrameAuthError()
    const decipher = createDecipheriv('aes-256-gcm', this.receiveKey, iv(this.received))
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES))
    try {
      decipher.final()
    } catch {
      throw new FrameAuthError()
    }
    this.received++
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  }
}
