import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import {
  checkAwarenessUpdate,
  decodeMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  MalformedMessageError,
} from '../../../sync-server/net/y-websocket-protocol'

const seed = Number(process.env.LATTICE_TEST_SEED ?? Date.now() % 100_000)

function build(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder()
  write(enc)
  return encoding.toUint8Array(enc)
}

function docWithText(text: string): Y.Doc {
  const doc = new Y.Doc()
  doc.getText('body').insert(0, text)
  return doc
}

describe('y-websocket messages', () => {
  it('decodes what the stock client sends, byte for byte as y-protocols writes it', () => {
    const doc = docWithText('hi')
    const awareness = new awarenessProtocol.Awareness(doc)
    awareness.setLocalState({ user: 'a' })
    const step1 = build((e) => {
      encoding.writeVarUint(e, 0)
      syncProtocol.writeSyncStep1(e, doc)
    })
    const step2 = build((e) => {
      encoding.writeVarUint(e, 0)
      syncProtocol.writeSyncStep2(e, doc)
    })
    const aw = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])
    expect(decodeMessage(step1)).toEqual({
      type: 'sync-step1',
      stateVector: Y.encodeStateVector(doc),
    })
    expect(decodeMessage(step2)).toEqual({ type: 'sync-step2', update: Y.encodeStateAsUpdate(doc) })
    expect(decodeMessage(encodeSyncUpdate(Uint8Array.of(0, 0)))).toEqual({
      type: 'sync-update',
      update: Uint8Array.of(0, 0),
    })
    expect(decodeMessage(encodeAwareness(aw))).toEqual({ type: 'awareness', update: aw })
    expect(decodeMessage(Uint8Array.of(3))).toEqual({ type: 'query-awareness' })
    const auth = build((e) => {
      encoding.writeVarUint(e, 2)
      encoding.writeVarUint(e, 0)
      encoding.writeVarString(e, 'no')
    })
    expect(decodeMessage(auth)).toEqual({ type: 'auth-denied', reason: 'no' })
    awareness.destroy()
  })

  it('encodes what y-protocols reads: step 1, and a step 2 with what the peer lacks', () => {
    const server = docWithText('server text')
    const client = new Y.Doc()
    const reply = encodeSyncStep2(server, Y.encodeStateVector(client))
    expect(decodeMessage(encodeSyncStep1(server))).toMatchObject({ type: 'sync-step1' })
    const decoded = decodeMessage(reply)
    if (decoded.type !== 'sync-step2') throw new Error(`expected step 2, got ${decoded.type}`)
    Y.applyUpdate(client, decoded.update)
    expect(client.getText('body').toString()).toBe('server text')
  })

  it('refuses a length that runs past the message even when the buffer goes on', () => {
    const big = new Uint8Array(64).fill(1)
    big.set([0, 2, 40], 0)
    expect(() => decodeMessage(big.subarray(0, 4))).toThrow(MalformedMessageError)
  })

  it('refuses an awareness update before applying any of it', () => {
    const half = build((e) => {
      encoding.writeVarUint(e, 2)
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint(e, 1)
      encoding.writeVarString(e, '{"ok":true}')
      encoding.writeVarUint(e, 2)
      encoding.writeVarUint(e, 1)
      encoding.writeVarString(e, '{broken')
    })
    expect(() => checkAwarenessUpdate(half)).toThrow(MalformedMessageError)
    expect(() => decodeMessage(encodeAwareness(half))).toThrow(MalformedMessageError)
  })

  it(`throws only MalformedMessageError on arbitrary bytes (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeMessage(bytes)
        } catch (err) {
          if (!(err instanceof MalformedMessageError)) throw err
        }
      }),
      { seed, numRuns: 2_000 },
    )
  })
})
