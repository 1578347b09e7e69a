import * as encoding from 'lib0/encoding'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ENGINES } from '../../../shared/engine/types'
import { isValidId, type DocId } from '../../../shared/ids'
import { Rng } from '../../../shared/util/rng'
import {
  decodeFrame,
  encodeFrame,
  MAX_BUCKETS,
  type DigestEntry,
  type Frame,
  type Hash64,
} from '../../../shared/wire/frames'
import {
  ERR_BAD_NAME,
  ERR_BAD_VERSION,
  ERR_MALFORMED,
  MSG_BUCKET,
  MSG_DIGEST,
  MSG_DOC,
  MSG_HELLO,
  PROTOCOL_MAGIC,
  PROTOCOL_VERSION,
  ProtocolError,
} from '../../../shared/wire/protocol'

// --- Arbitraries for every frame type.

const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/).filter(isValidId)
const docIdArb = id.map((s) => s as DocId)
const engine = fc.constantFrom(...ENGINES)
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const hash: fc.Arbitrary<Hash64> = fc.tuple(u32, u32)
const bytes = fc.uint8Array({ maxLength: 300 })
const powerOfTwo = fc.integer({ min: 0, max: 6 }).map((k) => 2 ** k)

const hello = fc.record({
  type: fc.constant('hello' as const),
  version: fc.constant(PROTOCOL_VERSION),
  peer: id,
  mode: fc.constantFrom('full' as const, 'partial' as const),
})
const digest = fc.record({
  type: fc.constant('digest' as const),
  docCount: fc.nat(),
  buckets: powerOfTwo.chain((n) => fc.array(hash, { minLength: n, maxLength: n })),
})
const entry: fc.Arbitrary<DigestEntry> = fc.record({ doc: docIdArb, engine, hash })
const bucket = fc.integer({ min: 1, max: MAX_BUCKETS }).chain((bucketCount) =>
  fc.record({
    type: fc.constant('bucket' as const),
    bucketCount: fc.constant(bucketCount),
    bucket: fc.integer({ min: 0, max: bucketCount - 1 }),
    entries: fc.array(entry, { maxLength: 8 }),
  }),
)
const doc = fc.record({ type: fc.constant('doc' as const), doc: docIdArb, engine, payload: bytes })
const awareness = fc.record({
  type: fc.constant('awareness' as const),
  doc: docIdArb,
  payload: bytes,
})
const error = fc.record({
  type: fc.constant('error' as const),
  code: fc.nat(),
  // Well-formed Unicode: a lone surrogate can't be UTF-8 encoded by anyone.
  reason: fc.string({ unit: 'grapheme', maxLength: 60 }),
})
const ack = fc.record({ type: fc.constant('ack' as const), doc: docIdArb, engine, version: bytes })
const frame: fc.Arbitrary<Frame> = fc.oneof(hello, digest, bucket, doc, awareness, error, ack)

// --- Hand-built bytes for the malformed cases.

function build(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder()
  write(enc)
  return encoding.toUint8Array(enc)
}

const helloBytes = (magic: string, version: number, peer = 'peer-1', mode = 0) =>
  build((enc) => {
    encoding.writeVarUint(enc, MSG_HELLO)
    encoding.writeVarString(enc, magic)
    encoding.writeVarUint(enc, version)
    encoding.writeVarString(enc, peer)
    encoding.writeVarUint(enc, mode)
  })

const docBytes = (docName: string, engineCode: number, payload = new Uint8Array([1, 2, 3])) =>
  build((enc) => {
    encoding.writeVarUint(enc, MSG_DOC)
    encoding.writeVarString(enc, docName)
    encoding.writeVarUint(enc, engineCode)
    encoding.writeVarUint8Array(enc, payload)
  })

function protocolError(input: Uint8Array): ProtocolError {
  try {
    decodeFrame(input)
  } catch (err) {
    if (err instanceof ProtocolError) return err
    throw new Error(`expected a ProtocolError, got ${String(err)}`, { cause: err })
  }
  throw new Error(`expected a ProtocolError, but [${input.join(',')}] decoded`)
}

const validDoc = encodeFrame({
  type: 'doc',
  doc: 'note-1' as DocId,
  engine: 'yjs',
  payload: new Uint8Array(20).fill(7),
})

describe('wire frames', () => {
  describe('round trip', () => {
    it.each([
      ['hello', hello],
      ['digest', digest],
      ['bucket', bucket],
      ['doc', doc],
      ['awareness', awareness],
      ['error', error],
      ['ack', ack],
    ] as const)('decodes every %s frame to what was encoded', (_name, arb: fc.Arbitrary<Frame>) => {
      fc.assert(
        fc.property(arb, (f) => {
          expect(decodeFrame(encodeFrame(f))).toEqual(f)
        }),
        { numRuns: 300 },
      )
    })

    it('decodes a frame that sits inside a larger buffer', () => {
      const inner = encodeFrame({ type: 'hello', version: 1, peer: 'p', mode: 'full' })
      const big = new Uint8Array(inner.length + 10).fill(0xff)
      big.set(inner, 5)
      expect(decodeFrame(big.subarray(5, 5 + inner.length))).toMatchObject({ peer: 'p' })
    })
  })

  describe('malformed frames are ProtocolErrors with a code', () => {
    it.each<[string, Uint8Array, number]>([
      ['an empty frame', new Uint8Array(0), ERR_MALFORMED],
      ['an unknown type', Uint8Array.of(99), ERR_MALFORMED],
      ['an unknown type with a body', Uint8Array.of(99, 1, 2, 3), ERR_MALFORMED],
      ['a truncated varint', Uint8Array.of(0x80), ERR_MALFORMED],
      ['a varint truncated inside a field', Uint8Array.of(MSG_DIGEST, 0xff, 0xff), ERR_MALFORMED],
      [
        'a huge length prefix',
        build((enc) => {
          encoding.writeVarUint(enc, MSG_DOC)
          encoding.writeVarString(enc, 'note-1')
          encoding.writeVarUint(enc, 0)
          encoding.writeVarUint(enc, 2 ** 40)
          encoding.writeUint8(enc, 1)
        }),
        ERR_MALFORMED,
      ],
      [
        'a string length beyond the frame',
        Uint8Array.of(MSG_HELLO, 200, ...new TextEncoder().encode(PROTOCOL_MAGIC)),
        ERR_MALFORMED,
      ],
      ['trailing bytes', Uint8Array.of(...validDoc, 0), ERR_MALFORMED],
      ['a frame cut short', validDoc.slice(0, validDoc.length - 1), ERR_MALFORMED],
      ['a hello with the wrong magic', helloBytes('yjs', PROTOCOL_VERSION), ERR_MALFORMED],
      ['a hello with the wrong version', helloBytes(PROTOCOL_MAGIC, 2), ERR_BAD_VERSION],
      ['a hello from version 0', helloBytes(PROTOCOL_MAGIC, 0), ERR_BAD_VERSION],
      ['a hello with an invalid peer id', helloBytes(PROTOCOL_MAGIC, 1, '../x'), ERR_BAD_NAME],
      ['a hello with an unknown mode', helloBytes(PROTOCOL_MAGIC, 1, 'p', 7), ERR_MALFORMED],
      ['a path as doc id', docBytes('../etc/passwd', 0), ERR_BAD_NAME],
      ['an empty doc id', docBytes('', 0), ERR_BAD_NAME],
      ['a doc id with a slash', docBytes('notes/1', 0), ERR_BAD_NAME],
      ['a doc id too long', docBytes('n'.repeat(129), 0), ERR_BAD_NAME],
      ['an unknown engine code', docBytes('note-1', 2), ERR_MALFORMED],
      [
        'a bucket count that is not a power of two',
        build((enc) => {
          encoding.writeVarUint(enc, MSG_DIGEST)
          encoding.writeVarUint(enc, 3)
          encoding.writeVarUint(enc, 3)
          for (let i = 0; i < 6; i++) encoding.writeUint32(enc, i)
        }),
        ERR_MALFORMED,
      ],
      ['zero buckets', Uint8Array.of(MSG_DIGEST, 0, 0), ERR_MALFORMED],
      [
        'a bucket count larger than the frame',
        build((enc) => {
          encoding.writeVarUint(enc, MSG_DIGEST)
          encoding.writeVarUint(enc, 1)
          encoding.writeVarUint(enc, 1 << 20)
          encoding.writeUint32(enc, 0)
          encoding.writeUint32(enc, 0)
        }),
        ERR_MALFORMED,
      ],
      [
        'an entry count larger than the frame',
        build((enc) => {
          encoding.writeVarUint(enc, MSG_BUCKET)
          encoding.writeVarUint(enc, 4)
          encoding.writeVarUint(enc, 1)
          encoding.writeVarUint(enc, 2 ** 31)
        }),
        ERR_MALFORMED,
      ],
      [
        'a bucket index out of range',
        build((enc) => {
          encoding.writeVarUint(enc, MSG_BUCKET)
          encoding.writeVarUint(enc, 4)
          encoding.writeVarUint(enc, 4)
          encoding.writeVarUint(enc, 0)
        }),
        ERR_MALFORMED,
      ],
    ])('refuses %s', (_what, input, code) => {
      const err = protocolError(input)
      expect(err.code).toBe(code)
      expect(err.message.length).toBeGreaterThan(0)
    })

    it('refuses a cut-short frame even when the buffer behind it holds the rest', () => {
      // Socket libraries hand out views into bigger buffers; a length prefix must not read past.
      for (let cut = 1; cut < validDoc.length; cut++) {
        const view = validDoc.subarray(0, cut)
        expect(protocolError(view).code, `cut ${cut}`).toBe(ERR_MALFORMED)
      }
    })
  })

  describe('fuzz', () => {
    const SEED = 0x1a77ce
    const RUNS = 20_000

    function mutate(rng: Rng, input: Uint8Array): Uint8Array {
      const out = Array.from(input)
      const edits = 1 + rng.int(3)
      for (let i = 0; i < edits; i++) {
        const kind = rng.int(4)
        if (kind === 0 && out.length > 0) {
          const at = rng.int(out.length)
          out[at] = (out[at] as number) ^ (1 << rng.int(8))
        } else if (kind === 1) out.length = rng.int(out.length + 1)
        else if (kind === 2) out.splice(rng.int(out.length + 1), 0, rng.int(256))
        else if (out.length > 0) out.splice(rng.int(out.length), 1 + rng.int(4))
      }
      return Uint8Array.from(out)
    }

    it(`never throws anything but a ProtocolError (${RUNS} random and mutated frames)`, () => {
      const samples = fc.sample(frame, { seed: SEED, numRuns: 200 }).map(encodeFrame)
      const rng = new Rng(SEED)
      let refused = 0
      for (let i = 0; i < RUNS; i++) {
        const input =
          i % 4 === 0
            ? Uint8Array.from({ length: rng.int(48) }, () => rng.int(256))
            : mutate(rng, rng.pick(samples))
        const where = `seed ${SEED}, case ${i}: [${input.join(',')}]`
        let decoded: Frame
        try {
          decoded = decodeFrame(input)
        } catch (err) {
          if (!(err instanceof ProtocolError))
            throw new Error(`${where} threw ${String(err)}, not a ProtocolError`, { cause: err })
          refused++
          continue
        }
        // Whatever is accepted is a well-formed frame (varints may be overlong, so compare
        // frames, not bytes).
        expect(decodeFrame(encodeFrame(decoded)), where).toEqual(decoded)
      }
      expect(refused, `seed ${SEED}`).toBeGreaterThan(RUNS / 2)
    })
  })
})
