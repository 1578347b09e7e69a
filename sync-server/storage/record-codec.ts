/**
 * Every value the Level store writes is framed, so a damaged record is detected and reported by
 * its key instead of being parsed as garbage (or, worse, read as an empty document):
 *
 *   offset  size  field
 *   0       1     magic   0x4c ('L')
 *   1       1     version 1
 *   2       4     payload length, uint32 little-endian
 *   6       4     CRC-32 (IEEE 802.3) of the payload, uint32 little-endian
 *   10      n     payload
 *
 * LevelDB checksums its own blocks too; this catches what it lets through (a bit flipped
 * before a write, a tool that edited the folder, a bug of ours) and names the record.
 */
import { CorruptRecordError } from './doc-store'

const MAGIC = 0x4c
const VERSION = 1
export const HEADER_BYTES = 10

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 as zlib and PNG compute it (`crc32('123456789') === 0xcbf43926`). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) {
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  }
  return (c ^ 0xffffffff) >>> 0
}

export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length)
  const view = new DataView(out.buffer)
  out[0] = MAGIC
  out[1] = VERSION
  view.setUint32(2, payload.length, true)
  view.setUint32(6, crc32(payload), true)
  out.set(payload, HEADER_BYTES)
  return out
}

/** The payload of a framed value (a copy), or `CorruptRecordError` naming `key`. */
export function decodeRecord(key: string, value: Uint8Array): Uint8Array {
  if (value.length < HEADER_BYTES) {
    throw new CorruptRecordError(key, `${value.length} bytes is shorter than the record header`)
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength)
  if (value[0] !== MAGIC) throw new CorruptRecordError(key, `bad magic byte ${value[0]}`)
  if (value[1] !== VERSION) throw new CorruptRecordError(key, `unknown record version ${value[1]}`)
  const length = view.getUint32(2, true)
  if (length !== value.length - HEADER_BYTES) {
    throw new CorruptRecordError(
      key,
      `header says ${length} payload bytes, found ${value.length - HEADER_BYTES}`,
    )
  }
  // A fresh Uint8Array, not a view into LevelDB's Buffer: callers may keep it.
  const payload = new Uint8Array(value.subarray(HEADER_BYTES))
  const expected = view.getUint32(6, true)
  const actual = crc32(payload)
  if (actual !== expected) {
    throw new CorruptRecordError(
      key,
      `checksum mismatch (stored ${hex(expected)}, computed ${hex(actual)})`,
    )
  }
  return payload
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

export function encodeJsonRecord(value: unknown): Uint8Array {
  return encodeRecord(textEncoder.encode(JSON.stringify(value)))
}

/** The parsed JSON of a framed value; a frame that checks out but does not parse is corrupt too. */
export function decodeJsonRecord(key: string, value: Uint8Array): unknown {
  const payload = decodeRecord(key, value)
  try {
    return JSON.parse(textDecoder.decode(payload)) as unknown
  } catch (err) {
    throw new CorruptRecordError(key, `unreadable JSON (${(err as Error).message})`)
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`
}
