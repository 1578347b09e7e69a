import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { FrameAuthError, FrameCipher } from '../../../../sync-server/lan/frame-cipher'

const authKey = new Uint8Array(randomBytes(32))
const dn = new Uint8Array(randomBytes(32))
const ln = new Uint8Array(randomBytes(32))
const pair = (key = authKey, listenerNonce = ln) => ({
  dialer: new FrameCipher(key, 'dialer', dn, listenerNonce),
  listener: new FrameCipher(key, 'listener', dn, listenerNonce),
})
const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('FrameCipher', () => {
  it('opens what the other side sealed, in both directions, and hides the plain text', () => {
    const { dialer, listener } = pair()
    const sealed = dialer.seal(bytes('a secret note'))
    expect(Buffer.from(sealed).includes(Buffer.from('secret'))).toBe(false)
    expect(text(listener.open(sealed))).toBe('a secret note')
    expect(text(dialer.open(listener.seal(bytes('reply'))))).toBe('reply')
    expect(text(listener.open(dialer.seal(bytes('second'))))).toBe('second')
  })

  it('refuses a changed, replayed, reordered or truncated frame', () => {
    const changed = pair()
    const f = changed.dialer.seal(bytes('hello'))
    f[0] = (f[0] as number) ^ 1
    expect(() => changed.listener.open(f)).toThrow(FrameAuthError)

    const replayed = pair()
    const once = replayed.dialer.seal(bytes('pay 10'))
    replayed.listener.open(once)
    expect(() => replayed.listener.open(once)).toThrow(FrameAuthError)

    const reordered = pair()
    const first = reordered.dialer.seal(bytes('1'))
    const second = reordered.dialer.seal(bytes('2'))
    expect(() => reordered.listener.open(second)).toThrow(FrameAuthError)
    expect(text(reordered.listener.open(first))).toBe('1')

    expect(() => pair().listener.open(new Uint8Array(5))).toThrow(FrameAuthError)
  })

  it('keys each direction and each handshake apart', () => {
    const { dialer } = pair()
    // A frame reflected back to its sender does not open.
    expect(() => dialer.open(pair().dialer.seal(bytes('x')))).toThrow(FrameAuthError)
    // Another handshake (other nonce) or another workspace (other key) cannot read it.
    const sealed = pair().dialer.seal(bytes('x'))
    expect(() => pair(authKey, new Uint8Array(randomBytes(32))).listener.open(sealed)).toThrow()
    expect(() => pair(new Uint8Array(randomBytes(32))).listener.open(sealed)).toThrow()
  })
})
