import { describe, expect, it } from 'vitest'
import { replicaId, type ReplicaId } from '../../../../shared/ids'
import { Rng } from '../../../../shared/util/rng'
import {
  CLOSE_BAD_VERSION,
  CLOSE_MALFORMED,
  CLOSE_SELF,
  CLOSE_WRONG_SECRET,
  Handshake,
  NONCE_BYTES,
  type HandshakeStep,
  type Role,
} from '../../../../sync-server/lan/handshake'
import { workspaceKeys, type WorkspaceKeys } from '../../../../sync-server/lan/workspace'
import * as encoding from 'lib0/encoding'

const keysOf = (seed: number): WorkspaceKeys => {
  const rng = new Rng(seed)
  return workspaceKeys(Uint8Array.from({ length: 32 }, () => rng.int(256)))
}
const OURS = keysOf(1)
const THEIRS = keysOf(2)
const DIALER = replicaId('node-dialer')
const LISTENER = replicaId('node-listener')

const side = (role: Role, keys = OURS, self = role === 'dialer' ? DIALER : LISTENER) =>
  new Handshake({ keys, self, role })

interface Outcome {
  peer?: ReplicaId
  failure?: { code: number; reason: string }
  /** Every frame this side sent, in order. */
  sent: Uint8Array[]
}

/** Runs a dialer and a listener against each other the way two sockets would. */
function run(dialer: Handshake, listener: Handshake): [Outcome, Outcome] {
  const out: [Outcome, Outcome] = [{ sent: [dialer.hello] }, { sent: [listener.hello] }]
  const sides = [dialer, listener] as const
  const queues: Uint8Array[][] = [[listener.hello], [dialer.hello]]
  for (let progress = true; progress;) {
    progress = false
    for (const i of [0, 1] as const) {
      const frame = queues[i]?.shift()
      if (!frame || out[i].peer || out[i].failure) continue
      progress = true
      const step: HandshakeStep = sides[i].receive(frame)
      if (step.reply) {
        out[i].sent.push(step.reply)
        queues[1 - i]?.push(step.reply)
      }
      if (step.peer) out[i].peer = step.peer
      if (step.failure) out[i].failure = step.failure
    }
  }
  return out
}

function hello(fields: { magic?: string; version?: number; id?: string; nonce?: Uint8Array }) {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, 0)
  encoding.writeVarString(enc, fields.magic ?? 'lattice-lan')
  encoding.writeVarUint(enc, fields.version ?? 1)
  encoding.writeVarString(enc, fields.id ?? 'node-stranger')
  encoding.writeVarUint8Array(enc, fields.nonce ?? new Uint8Array(NONCE_BYTES).fill(7))
  return encoding.toUint8Array(enc)
}

describe('LAN handshake', () => {
  it('authenticates two nodes with the same workspace secret, each learning the other', () => {
    const [d, l] = run(side('dialer'), side('listener'))
    expect([d.peer, d.failure]).toEqual([LISTENER, undefined])
    expect([l.peer, l.failure]).toEqual([DIALER, undefined])
    // Each sent exactly HELLO and PROOF: nothing else crosses before both are proven.
    expect(d.sent).toHaveLength(2)
    expect(l.sent).toHaveLength(2)
  })

  it('refuses a wrong secret on both sides with 4403 "wrong workspace secret"', () => {
    const [d, l] = run(side('dialer', THEIRS), side('listener', OURS))
    for (const o of [d, l]) {
      expect(o.peer).toBeUndefined()
      expect(o.failure).toEqual({ code: CLOSE_WRONG_SECRET, reason: 'wrong workspace secret' })
    }
  })

  it('refuses a recorded dialer transcript replayed to a listener', () => {
    const [recorded] = run(side('dialer'), side('listener'))
    const fresh = side('listener')
    const [theHello, theProof] = recorded.sent as [Uint8Array, Uint8Array]
    expect(fresh.receive(theHello).reply).toBeDefined()
    expect(fresh.receive(theProof)).toEqual({
      failure: { code: CLOSE_WRONG_SECRET, reason: 'wrong workspace secret' },
    })
  })

  it('refuses a recorded listener transcript replayed to a dialer', () => {
    const [, recorded] = run(side('dialer'), side('listener'))
    const fresh = side('dialer')
    const [theHello, theProof] = recorded.sent as [Uint8Array, Uint8Array]
    fresh.receive(theHello)
    expect(fresh.receive(theProof).failure?.code).toBe(CLOSE_WRONG_SECRET)
  })

  it('refuses a proof with one bit flipped', () => {
    for (let bit = 0; bit < 8 * 32; bit += 37) {
      const dialer = side('dialer')
      const listener = side('listener')
      const proof = listener.receive(dialer.hello).reply as Uint8Array
      dialer.receive(listener.hello)
      const tampered = Uint8Array.from(proof)
      const at = tampered.length - 32 + (bit >> 3)
      tampered[at] = (tampered[at] as number) ^ (1 << (bit & 7))
      expect(dialer.receive(tampered).failure?.code, `bit ${bit}`).toBe(CLOSE_WRONG_SECRET)
    }
  })

  it("refuses a listener's proof reflected at another listener", () => {
    // The attacker opens two connections to the same node and tries to make one answer for
    // the other: the nonces line up, but the proof names the listener's role.
    const nonceA = new Uint8Array(NONCE_BYTES).fill(1)
    const nonceB = new Uint8Array(NONCE_BYTES).fill(2)
    const first = new Handshake({ keys: OURS, self: LISTENER, role: 'listener', nonce: nonceA })
    const second = new Handshake({ keys: OURS, self: LISTENER, role: 'listener', nonce: nonceB })
    const proof = first.receive(hello({ id: LISTENER + '-x', nonce: nonceB })).reply as Uint8Array
    second.receive(hello({ id: LISTENER + '-x', nonce: nonceA }))
    expect(second.receive(proof).failure?.code).toBe(CLOSE_WRONG_SECRET)
  })

  it('ends a handshake with itself, its own nonce, or a malformed or foreign hello', () => {
    const nonce = new Uint8Array(NONCE_BYTES).fill(9)
    const l = () => new Handshake({ keys: OURS, self: LISTENER, role: 'listener', nonce })
    expect(l().receive(l().hello).failure?.code).toBe(CLOSE_SELF)
    expect(l().receive(hello({ nonce })).failure).toEqual({
      code: CLOSE_MALFORMED,
      reason: 'reflected nonce',
    })
    expect(l().receive(hello({ version: 2 })).failure?.code).toBe(CLOSE_BAD_VERSION)
    expect(l().receive(hello({ magic: 'lattice' })).failure?.code).toBe(CLOSE_MALFORMED)
    expect(l().receive(hello({ id: '../etc' })).failure?.code).toBe(CLOSE_MALFORMED)
    expect(l().receive(hello({ nonce: new Uint8Array(8) })).failure?.code).toBe(CLOSE_MALFORMED)
    expect(l().receive(new Uint8Array([0, 200])).failure?.code).toBe(CLOSE_MALFORMED)
    expect(l().receive(new Uint8Array([])).failure?.code).toBe(CLOSE_MALFORMED)
    const trailing = Uint8Array.from([...hello({}), 0])
    expect(l().receive(trailing).failure?.code).toBe(CLOSE_MALFORMED)
  })

  it('takes no frame before the hello, and none after it is over', () => {
    const dialer = side('dialer')
    const listener = side('listener')
    const proof = listener.receive(dialer.hello).reply as Uint8Array
    expect(side('dialer').receive(proof).failure?.code).toBe(CLOSE_MALFORMED)
    dialer.receive(listener.hello)
    expect(dialer.receive(proof).peer).toBe(LISTENER)
    expect(dialer.receive(proof).failure?.code).toBe(CLOSE_MALFORMED)
    // A second hello where the proof belongs is not a proof.
    const l2 = side('listener')
    l2.receive(side('dialer').hello)
    expect(l2.receive(side('dialer').hello).failure?.code).toBe(CLOSE_MALFORMED)
  })

  it('uses a fresh nonce per handshake', () => {
    expect(side('dialer').hello).not.toEqual(side('dialer').hello)
  })
})
