import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { NoteDoc } from '../../../shared/engine/types'
import { linkId, type DocId } from '../../../shared/ids'
import { encodeFrame, type Frame } from '../../../shared/wire/frames'
import { PROTOCOL_MAGIC, PROTOCOL_VERSION } from '../../../shared/wire/protocol'
import type { Rng } from '../../../shared/util/rng'

/**
 * Frame generators for fuzzing the relay's two endpoints. Each generator has a name (for the
 * report) and says whether a well-behaved server should keep the connection open after it
 * ('benign') or is expected to close it ('hostile'), so a connection can send many benign
 * frames before the hostile one that ends it.
 */
export type Payload = { kind: 'binary'; bytes: Uint8Array } | { kind: 'text'; bytes: Uint8Array }

export interface Generated {
  readonly gen: string
  readonly payload: Payload
}

type Gen = (rng: Rng, ctx: FuzzContext) => Uint8Array | Payload

export interface FuzzContext {
  /** Yjs document / room ids the fuzzer may touch (never the canary's). */
  readonly docs: readonly DocId[]
  /** Automerge document ids the fuzzer may touch. */
  readonly amDocs: readonly DocId[]
  /** A per-connection Yjs document, so valid updates are real and varied. */
  readonly ydoc: Y.Doc
  /** A per-connection Automerge note: its opening sync messages are real ones. */
  readonly amNote: NoteDoc
}

const binary = (bytes: Uint8Array): Payload => ({ kind: 'binary', bytes })

function build(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder()
  write(enc)
  return encoding.toUint8Array(enc)
}

export function randomBytes(rng: Rng, max: number): Uint8Array {
  const out = new Uint8Array(rng.int(max + 1))
  for (let i = 0; i < out.length; i++) out[i] = rng.int(256)
  return out
}

/** A varUint so large no buffer could follow it: 2^31..2^53, or a 10-byte LEB128 overflow. */
function writeHugeVarUint(rng: Rng, enc: encoding.Encoder): void {
  const choice = rng.int(4)
  if (choice === 0) encoding.writeVarUint(enc, 2 ** 31 + rng.int(1000))
  else if (choice === 1) encoding.writeVarUint(enc, Number.MAX_SAFE_INTEGER)
  else if (choice === 2) encoding.writeVarUint(enc, 0xffffffff)
  else for (let i = 0; i < 10; i++) encoding.writeUint8(enc, 0xff) // never terminates in 53 bits
}

/** A string that is not a valid id: empty, too long, path-like, or multi-byte UTF-8. */
function badId(rng: Rng): string {
  return rng.pick([
    '',
    '../../etc/passwd',
    '.hidden',
    'a'.repeat(129 + rng.int(200)),
    'a b',
    '€'.repeat(1 + rng.int(80)),
    '\u0000nul',
    '\uFFFD'.repeat(60),
    'ok/..',
  ])
}

function yUpdate(ctx: FuzzContext, rng: Rng): Uint8Array {
  const before = Y.encodeStateVector(ctx.ydoc)
  const text = ctx.ydoc.getText('body')
  text.insert(rng.int(text.length + 1), `f${rng.int(1000)}`)
  return Y.encodeStateAsUpdate(ctx.ydoc, before)
}

/** A y-protocols sync message: step 1, step 2 or update. */
function ySyncMessage(ctx: FuzzContext, rng: Rng): Uint8Array {
  return build((enc) => {
    const kind = rng.int(3)
    if (kind === 0) syncProtocol.writeSyncStep1(enc, ctx.ydoc)
    else if (kind === 1) syncProtocol.writeSyncStep2(enc, ctx.ydoc, new Uint8Array([0]))
    else syncProtocol.writeUpdate(enc, yUpdate(ctx, rng))
  })
}

/** A real Automerge sync message from the connection's note, after a fresh local edit. */
function amSyncMessage(ctx: FuzzContext, rng: Rng): Uint8Array {
  ctx.amNote.insert(0, `m${rng.int(1000)}`)
  const [first] = ctx.amNote.createSync(linkId('fuzz')).start()
  return first ?? new Uint8Array(0)
}

function awarenessUpdate(rng: Rng): Uint8Array {
  return build((enc) => {
    encoding.writeVarUint(enc, 1)
    encoding.writeVarUint(enc, 1 + rng.int(1_000_000))
    encoding.writeVarUint(enc, rng.int(100))
    encoding.writeVarString(enc, JSON.stringify({ user: { name: `fuzz${rng.int(9)}` } }))
  })
}

// ---- Lattice frames -------------------------------------------------------------------------

const latticeValid = (rng: Rng, ctx: FuzzContext): Frame => {
  const doc = rng.pick(ctx.docs)
  switch (rng.int(7)) {
    case 0:
      return { type: 'doc', doc, engine: 'yjs', payload: ySyncMessage(ctx, rng) }
    case 6:
      return {
        type: 'doc',
        doc: rng.pick(ctx.amDocs),
        engine: 'automerge',
        payload: amSyncMessage(ctx, rng),
      }
    case 1:
      return { type: 'awareness', doc, payload: awarenessUpdate(rng) }
    case 2:
      return { type: 'error', code: 4000 + rng.int(999), reason: `fuzz ${rng.int(1e6)}` }
    case 3:
      return {
        type: 'ack',
        doc,
        engine: 'yjs',
        version: Y.encodeStateVector(ctx.ydoc),
      }
    case 4:
      return {
        type: 'digest',
        docCount: rng.int(10),
        buckets: [[rng.int(2 ** 32), rng.int(2 ** 32)]],
      }
    default:
      return {
        type: 'bucket',
        bucketCount: 1,
        bucket: 0,
        entries: [{ doc, engine: 'yjs', hash: [rng.int(2 ** 32), 0] }],
      }
  }
}

export function latticeHello(rng: Rng, version = PROTOCOL_VERSION): Uint8Array {
  return encodeFrame({
    type: 'hello',
    version,
    peer: `fuzz-${rng.int(1e6)}`,
    mode: rng.chance(0.5) ? 'partial' : 'full',
  })
}

/** Frames a Lattice server accepts on an open session (after a hello) without closing. */
const LATTICE_BENIGN: Record<string, Gen> = {
  'valid frame': (rng, ctx) => encodeFrame(latticeValid(rng, ctx)),
}

/** Frames a Lattice server must reject by closing the connection with a reason. */
const LATTICE_HOSTILE: Record<string, Gen> = {
  'random bytes': (rng) => randomBytes(rng, 200),
  'empty frame': () => new Uint8Array(0),
  'text frame': (rng) => ({
    kind: 'text',
    bytes: new TextEncoder().encode(`hello ${rng.int(1e6)}`),
  }),
  'text frame, invalid UTF-8': (rng) => ({
    kind: 'text',
    bytes: Uint8Array.of(0xc3, 0x28, rng.int(256)),
  }),
  'truncated varint': (rng) => {
    const out = new Uint8Array(1 + rng.int(12)).fill(0x80)
    for (let i = 0; i < out.length; i++) out[i] = 0x80 | rng.int(128)
    return rng.chance(0.5) ? Uint8Array.of(3, ...out) : out
  },
  'huge length prefix': (rng) =>
    build((enc) => {
      const type = rng.pick([0, 3, 4, 5, 6])
      encoding.writeVarUint(enc, type)
      if (type === 5) encoding.writeVarUint(enc, 4400) // error: code, then the reason string
      if (type !== 0 && type !== 5 && rng.chance(0.5)) {
        encoding.writeVarString(enc, 'fuzz-doc-0') // doc id ok, then the payload length is huge
        if (type !== 4) encoding.writeVarUint(enc, 0)
      }
      writeHugeVarUint(rng, enc)
      encoding.writeUint8Array(enc, randomBytes(rng, 16))
    }),
  'huge count': (rng) =>
    build((enc) => {
      const digest = rng.chance(0.5)
      encoding.writeVarUint(enc, digest ? 1 : 2)
      encoding.writeVarUint(enc, digest ? rng.int(10) : 1)
      if (!digest) encoding.writeVarUint(enc, 0)
      writeHugeVarUint(rng, enc)
      encoding.writeUint8Array(enc, randomBytes(rng, 24))
    }),
  'unknown message type': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, rng.chance(0.5) ? 7 + rng.int(120) : rng.int(2 ** 32))
      encoding.writeUint8Array(enc, randomBytes(rng, 32))
    }),
  'wrong protocol version': (rng) => latticeHello(rng, rng.pick([0, 2, 3, 255, 2 ** 31])),
  'bad hello': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, 0)
      const what = rng.int(3)
      encoding.writeVarString(enc, what === 0 ? 'yjs' : PROTOCOL_MAGIC)
      encoding.writeVarUint(enc, PROTOCOL_VERSION)
      encoding.writeVarString(enc, what === 1 ? badId(rng) : 'fuzz-peer')
      encoding.writeVarUint(enc, what === 2 ? 2 + rng.int(100) : 1)
    }),
  'bad document id': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, rng.pick([3, 4, 6]))
      encoding.writeVarString(enc, badId(rng))
      encoding.writeVarUint(enc, 0)
      encoding.writeVarUint8Array(enc, randomBytes(rng, 8))
    }),
  'garbage Yjs payload': (rng, ctx) =>
    encodeFrame({
      type: 'doc',
      doc: rng.pick(ctx.docs),
      engine: 'yjs',
      payload: rng.chance(0.5) ? randomBytes(rng, 64) : mutate(rng, ySyncMessage(ctx, rng)),
    }),
  'garbage Automerge payload': (rng, ctx) =>
    encodeFrame({
      type: 'doc',
      doc: rng.pick(ctx.amDocs),
      engine: 'automerge',
      payload: rng.chance(0.3) ? randomBytes(rng, 64) : mutate(rng, amSyncMessage(ctx, rng)),
    }),
  'engine mismatch': (rng, ctx) =>
    encodeFrame({
      type: 'doc',
      doc: rng.pick(ctx.docs),
      engine: 'automerge',
      payload: randomBytes(rng, 16),
    }),
  'valid frame + garbage': (rng, ctx) =>
    concat(encodeFrame(latticeValid(rng, ctx)), randomBytes(rng, 16), 1),
  'mutated valid frame': (rng, ctx) => mutate(rng, encodeFrame(latticeValid(rng, ctx))),
}

// ---- y-websocket messages -------------------------------------------------------------------

const Y_BENIGN: Record<string, Gen> = {
  'valid sync message': (rng, ctx) =>
    build((enc) => {
      encoding.writeVarUint(enc, 0)
      encoding.writeUint8Array(enc, ySyncMessage(ctx, rng))
    }),
  'valid awareness': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, 1)
      encoding.writeVarUint8Array(enc, awarenessUpdate(rng))
    }),
  'query awareness': () => Uint8Array.of(3),
}

const Y_HOSTILE: Record<string, Gen> = {
  'random bytes': (rng) => randomBytes(rng, 200),
  'empty frame': () => new Uint8Array(0),
  'text frame': (rng) => ({ kind: 'text', bytes: new TextEncoder().encode(`hi ${rng.int(1e6)}`) }),
  'text frame, invalid UTF-8': () => ({ kind: 'text', bytes: Uint8Array.of(0xff, 0xfe) }),
  'truncated varint': (rng) =>
    Uint8Array.of(rng.int(2), ...new Uint8Array(1 + rng.int(10)).fill(0xff)),
  'huge length prefix': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, rng.int(2))
      if (rng.chance(0.5)) encoding.writeVarUint(enc, rng.int(3)) // sync sub-type
      writeHugeVarUint(rng, enc)
      encoding.writeUint8Array(enc, randomBytes(rng, 16))
    }),
  'unknown message type': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, 4 + rng.int(1000))
      encoding.writeUint8Array(enc, randomBytes(rng, 16))
    }),
  'garbage sync payload': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, 0)
      encoding.writeVarUint(enc, rng.int(4))
      encoding.writeVarUint8Array(enc, randomBytes(rng, 64))
    }),
  'garbage awareness': (rng) =>
    build((enc) => {
      encoding.writeVarUint(enc, 1)
      encoding.writeVarUint8Array(enc, mutate(rng, awarenessUpdate(rng)))
    }),
  'valid message + garbage': (rng, ctx) =>
    concat(Y_BENIGN['valid sync message']!(rng, ctx) as Uint8Array, randomBytes(rng, 16), 1),
  'mutated valid message': (rng, ctx) =>
    mutate(rng, Y_BENIGN[rng.pick(Object.keys(Y_BENIGN))]!(rng, ctx) as Uint8Array),
}

function concat(a: Uint8Array, b: Uint8Array, minB: number): Uint8Array {
  const tail = b.length >= minB ? b : Uint8Array.of(0)
  const out = new Uint8Array(a.length + tail.length)
  out.set(a)
  out.set(tail, a.length)
  return out
}

/** One to three byte-level mutations: flip, overwrite, insert, delete, truncate, duplicate. */
export function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let bytes = input.slice()
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(bytes.length + 1)
    switch (rng.int(6)) {
      case 0:
        if (at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8))
        break
      case 1:
        if (at < bytes.length) bytes[at] = rng.pick([0, 0x7f, 0x80, 0xff, rng.int(256)])
        break
      case 2:
        bytes = Uint8Array.from([
          ...bytes.subarray(0, at),
          ...randomBytes(rng, 8),
          ...bytes.subarray(at),
        ])
        break
      case 3:
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + rng.int(4))])
        break
      case 4:
        bytes = bytes.slice(0, at)
        break
      default:
        bytes = Uint8Array.from([...bytes, ...bytes.subarray(at)])
    }
  }
  return bytes
}

function run(gens: Record<string, Gen>, rng: Rng, ctx: FuzzContext): Generated {
  const gen = rng.pick(Object.keys(gens))
  const out = (gens[gen] as Gen)(rng, ctx)
  return { gen, payload: out instanceof Uint8Array ? binary(out) : out }
}

export const latticeFrames = {
  benign: (rng: Rng, ctx: FuzzContext) => run(LATTICE_BENIGN, rng, ctx),
  hostile: (rng: Rng, ctx: FuzzContext) => run(LATTICE_HOSTILE, rng, ctx),
}

export const yWebsocketFrames = {
  benign: (rng: Rng, ctx: FuzzContext) => run(Y_BENIGN, rng, ctx),
  hostile: (rng: Rng, ctx: FuzzContext) => run(Y_HOSTILE, rng, ctx),
}
