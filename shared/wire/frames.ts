import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ENGINES, type EngineKind } from '../engine/types'
import { isValidId, type DocId } from '../ids'
import {
  ENGINE_CODES,
  ERR_BAD_NAME,
  ERR_BAD_VERSION,
  ERR_MALFORMED,
  MODE_FULL,
  MODE_PARTIAL,
  MSG_AWARENESS,
  MSG_BUCKET,
  MSG_DIGEST,
  MSG_DOC,
  MSG_ERROR,
  MSG_ACK,
  MSG_HELLO,
  PROTOCOL_MAGIC,
  PROTOCOL_VERSION,
  ProtocolError,
} from './protocol'

export type Mode = 'full' | 'partial'

/** 64-bit digest as two unsigned 32-bit halves. */
export type Hash64 = readonly [number, number]

export interface DigestEntry {
  readonly doc: DocId
  readonly engine: EngineKind
  readonly hash: Hash64
}

export type Frame =
  | { type: 'hello'; version: number; peer: string; mode: Mode }
  | { type: 'digest'; docCount: number; buckets: Hash64[] }
  | { type: 'bucket'; bucketCount: number; bucket: number; entries: DigestEntry[] }
  | { type: 'doc'; doc: DocId; engine: EngineKind; payload: Uint8Array }
  | { type: 'awareness'; doc: DocId; payload: Uint8Array }
  | { type: 'error'; code: number; reason: string }
  | { type: 'ack'; doc: DocId; engine: EngineKind; version: Uint8Array }

export const MAX_BUCKETS = 1 << 16

function writeHash(enc: encoding.Encoder, h: Hash64): void {
  encoding.writeUint32(enc, h[0])
  encoding.writeUint32(enc, h[1])
}

function readHash(dec: decoding.Decoder): Hash64 {
  return [decoding.readUint32(dec), decoding.readUint32(dec)]
}

function readEngine(dec: decoding.Decoder): EngineKind {
  const code = decoding.readVarUint(dec)
  const engine = ENGINES[code]
  if (engine === undefined) throw new ProtocolError(ERR_MALFORMED, `unknown engine code ${code}`)
  return engine
}

function readDocId(dec: decoding.Decoder): DocId {
  const id = decoding.readVarString(dec)
  if (!isValidId(id))
    throw new ProtocolError(ERR_BAD_NAME, `invalid document id ${JSON.stringify(id.slice(0, 40))}`)
  return id as DocId
}

/** A count about to drive a loop: never trust it beyond what the remaining bytes could hold. */
function readCount(dec: decoding.Decoder, minBytesEach: number, what: string): number {
  const n = decoding.readVarUint(dec)
  if (n * minBytesEach > dec.arr.length - dec.pos)
    throw new ProtocolError(ERR_MALFORMED, `${what} count ${n} exceeds the frame`)
  return n
}

export function encodeFrame(frame: Frame): Uint8Array {
  const enc = encoding.createEncoder()
  switch (frame.type) {
    case 'hello':
      encoding.writeVarUint(enc, MSG_HELLO)
      encoding.writeVarString(enc, PROTOCOL_MAGIC)
      encoding.writeVarUint(enc, frame.version)
      encoding.writeVarString(enc, frame.peer)
      encoding.writeVarUint(enc, frame.mode === 'full' ? MODE_FULL : MODE_PARTIAL)
      break
    case 'digest':
      encoding.writeVarUint(enc, MSG_DIGEST)
      encoding.writeVarUint(enc, frame.docCount)
      encoding.writeVarUint(enc, frame.buckets.length)
      for (const h of frame.buckets) writeHash(enc, h)
      break
    case 'bucket':
      encoding.writeVarUint(enc, MSG_BUCKET)
      encoding.writeVarUint(enc, frame.bucketCount)
      encoding.writeVarUint(enc, frame.bucket)
      encoding.writeVarUint(enc, frame.entries.length)
      for (const e of frame.entries) {
        encoding.writeVarString(enc, e.doc)
        encoding.writeVarUint(enc, ENGINE_CODES[e.engine])
        writeHash(enc, e.hash)
      }
      break
    case 'doc':
      encoding.writeVarUint(enc, MSG_DOC)
      encoding.writeVarString(enc, frame.doc)
      encoding.writeVarUint(enc, ENGINE_CODES[frame.engine])
      encoding.writeVarUint8Array(enc, frame.payload)
      break
    case 'awareness':
      encoding.writeVarUint(enc, MSG_AWARENESS)
      encoding.writeVarString(enc, frame.doc)
      encoding.writeVarUint8Array(enc, frame.payload)
      break
    case 'error':
      encoding.writeVarUint(enc, MSG_ERROR)
      encoding.writeVarUint(enc, frame.code)
      encoding.writeVarString(enc, frame.reason)
      break
    case 'ack':
      encoding.writeVarUint(enc, MSG_ACK)
      encoding.writeVarString(enc, frame.doc)
      encoding.writeVarUint(enc, ENGINE_CODES[frame.engine])
      encoding.writeVarUint8Array(enc, frame.version)
      break
  }
  return encoding.toUint8Array(enc)
}

function readFrame(dec: decoding.Decoder): Frame {
  const type = decoding.readVarUint(dec)
  switch (type) {
    case MSG_HELLO: {
      const magic = decoding.readVarString(dec)
      if (magic !== PROTOCOL_MAGIC)
        throw new ProtocolError(ERR_MALFORMED, 'not a Lattice peer (bad hello magic)')
      const version = decoding.readVarUint(dec)
      if (version !== PROTOCOL_VERSION) {
        throw new ProtocolError(
          ERR_BAD_VERSION,
          `unsupported protocol version ${version} (this peer speaks ${PROTOCOL_VERSION})`,
        )
      }
      const peer = decoding.readVarString(dec)
      if (!isValidId(peer)) throw new ProtocolError(ERR_BAD_NAME, 'invalid peer id in hello')
      const mode = decoding.readVarUint(dec)
      if (mode !== MODE_FULL && mode !== MODE_PARTIAL)
        throw new ProtocolError(ERR_MALFORMED, `unknown mode ${mode}`)
      return { type: 'hello', version, peer, mode: mode === MODE_FULL ? 'full' : 'partial' }
    }
    case MSG_DIGEST: {
      const docCount = decoding.readVarUint(dec)
      const n = readCount(dec, 8, 'bucket')
      if (n === 0 || n > MAX_BUCKETS || (n & (n - 1)) !== 0)
        throw new ProtocolError(
          ERR_MALFORMED,
          `bucket count ${n} is not a power of two up to ${MAX_BUCKETS}`,
        )
      const buckets: Hash64[] = []
      for (let i = 0; i < n; i++) buckets.push(readHash(dec))
      return { type: 'digest', docCount, buckets }
    }
    case MSG_BUCKET: {
      const bucketCount = decoding.readVarUint(dec)
      const bucket = decoding.readVarUint(dec)
      if (bucketCount === 0 || bucketCount > MAX_BUCKETS || bucket >= bucketCount)
        throw new ProtocolError(ERR_MALFORMED, `bucket ${bucket} of ${bucketCount} is out of range`)
      const n = readCount(dec, 10, 'entry')
      const entries: DigestEntry[] = []
      for (let i = 0; i < n; i++)
        entries.push({ doc: readDocId(dec), engine: readEngine(dec), hash: readHash(dec) })
      return { type: 'bucket', bucketCount, bucket, entries }
    }
    case MSG_DOC:
      return {
        type: 'doc',
        doc: readDocId(dec),
        engine: readEngine(dec),
        payload: decoding.readVarUint8Array(dec),
      }
    case MSG_AWARENESS:
      return { type: 'awareness', doc: readDocId(dec), payload: decoding.readVarUint8Array(dec) }
    case MSG_ERROR:
      return { type: 'error', code: decoding.readVarUint(dec), reason: decoding.readVarString(dec) }
    case MSG_ACK:
      return {
        type: 'ack',
        doc: readDocId(dec),
        engine: readEngine(dec),
        version: decoding.readVarUint8Array(dec),
      }
    default:
      throw new ProtocolError(ERR_MALFORMED, `unknown message type ${type}`)
  }
}

/** Decodes one whole frame or throws a `ProtocolError` saying what is wrong with it. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const dec = decoding.createDecoder(bytes)
  let frame: Frame
  try {
    frame = readFrame(dec)
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError(ERR_MALFORMED, `malformed frame: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (dec.pos !== bytes.length)
    throw new ProtocolError(
      ERR_MALFORMED,
      `malformed frame: ${bytes.length - dec.pos} trailing bytes after ${frame.type}`,
    )
  return frame
}
