/**
 * The stock y-websocket wire format, as the `y-websocket` 3.x client and `@y/websocket-server`
 * speak it. Transport-free: one message per binary WebSocket frame, each `type: varUint`
 * followed by that type's fields (lib0 encoding, as in shared/wire/protocol.ts).
 *
 *   0 SYNC             a y-protocols sync message: subtype varUint (0 step 1 · 1 step 2 ·
 *                      2 update) · varBytes (step 1: a state vector; else: a Yjs update)
 *   1 AWARENESS        varBytes: a y-protocols awareness update, n varUint ·
 *                      n × (clientID varUint · clock varUint · state varString of JSON)
 *   2 AUTH             subtype varUint (0 permission denied) · reason varString
 *   3 QUERY_AWARENESS  nothing: asks for every awareness state
 *
 * Anything else (an unknown type or subtype, a truncated field, trailing bytes, a state vector
 * or awareness entry that does not parse) is a `MalformedMessageError`. Updates are only
 * framed here; whether Yjs accepts one is known when it is applied.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

export const AUTH_PERMISSION_DENIED = 0

export type YwsMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'auth-denied'; reason: string }
  | { type: 'query-awareness' }

export class MalformedMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MalformedMessageError'
  }
}

export function decodeMessage(bytes: Uint8Array): YwsMessage {
  // A copy owns its buffer, so a length that overruns the message throws instead of reading
  // whatever follows it in a pooled socket buffer.
  const dec = decoding.createDecoder(bytes.slice())
  let message: YwsMessage
  try {
    message = readMessage(dec)
  } catch (err) {
    if (err instanceof MalformedMessageError) throw err
    throw new MalformedMessageError(`malformed message: ${(err as Error).message}`, { cause: err })
  }
  if (dec.pos !== bytes.length)
    throw new MalformedMessageError(
      `malformed message: ${bytes.length - dec.pos} trailing bytes after ${message.type}`,
    )
  return message
}

function readMessage(dec: decoding.Decoder): YwsMessage {
  const type = decoding.readVarUint(dec)
  switch (type) {
    case MESSAGE_SYNC:
      return readSync(dec)
    case MESSAGE_AWARENESS: {
      const update = decoding.readVarUint8Array(dec)
      checkAwarenessUpdate(update)
      return { type: 'awareness', update }
    }
    case MESSAGE_AUTH: {
      const subtype = decoding.readVarUint(dec)
      if (subtype !== AUTH_PERMISSION_DENIED)
        throw new MalformedMessageError(`unknown auth message subtype ${subtype}`)
      return { type: 'auth-denied', reason: decoding.readVarString(dec) }
    }
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'query-awareness' }
    default:
      throw new MalformedMessageError(`unknown message type ${type}`)
  }
}

function readSync(dec: decoding.Decoder): YwsMessage {
  const subtype = decoding.readVarUint(dec)
  switch (subtype) {
    case SYNC_STEP1: {
      const stateVector = decoding.readVarUint8Array(dec)
      checkStateVector(stateVector)
      return { type: 'sync-step1', stateVector }
    }
    case SYNC_STEP2:
      return { type: 'sync-step2', update: decoding.readVarUint8Array(dec) }
    case SYNC_UPDATE:
      return { type: 'sync-update', update: decoding.readVarUint8Array(dec) }
    default:
      throw new MalformedMessageError(`unknown sync message subtype ${subtype}`)
  }
}

function checkStateVector(bytes: Uint8Array): void {
  const dec = decoding.createDecoder(bytes)
  const n = decoding.readVarUint(dec)
  for (let i = 0; i < n; i++) {
    decoding.readVarUint(dec)
    decoding.readVarUint(dec)
  }
  if (dec.pos !== bytes.length) throw new MalformedMessageError('trailing bytes in a state vector')
}

/**
 * Reads a whole awareness update (from a socket or a Lattice AWARENESS frame), so a bad one is
 * refused before any of it is applied.
 */
export function checkAwarenessUpdate(bytes: Uint8Array): void {
  const dec = decoding.createDecoder(bytes.slice())
  try {
    const n = decoding.readVarUint(dec)
    for (let i = 0; i < n; i++) {
      decoding.readVarUint(dec)
      decoding.readVarUint(dec)
      JSON.parse(decoding.readVarString(dec))
    }
  } catch (err) {
    throw new MalformedMessageError(`malformed awareness update: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (dec.pos !== bytes.length)
    throw new MalformedMessageError('trailing bytes in an awareness update')
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return encodeSync(SYNC_STEP1, Y.encodeStateVector(doc))
}

/** The step 2 answering a peer's step 1: what that peer lacks. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return encodeSync(SYNC_STEP2, Y.encodeStateAsUpdate(doc, stateVector))
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  return encodeSync(SYNC_UPDATE, update)
}

function encodeSync(subtype: number, payload: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, MESSAGE_SYNC)
  encoding.writeVarUint(enc, subtype)
  encoding.writeVarUint8Array(enc, payload)
  return encoding.toUint8Array(enc)
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(enc, update)
  return encoding.toUint8Array(enc)
}
