import { createHash, randomBytes } from 'node:crypto'

/**
 * A workspace's secret as people type it: 32 random bytes in Crockford's base32 (digits and
 * capitals without I, L, O, U), then 3 characters of checksum, in 11 groups of 5:
 *
 *   7QK2M-0W9ZT-...-4HX8P      (55 characters; 52 for the secret, the last one padded with 0s)
 *
 * Parsing forgives case, spaces and dashes, reads I and L as 1 and O as 0, and says what is
 * wrong: a character that cannot be in a code, the wrong length, or a checksum that does not
 * match (a mistyped character; 1 in 32,768 typos slips through).
 */
export const SECRET_BYTES = 32

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const SECRET_CHARS = Math.ceil((SECRET_BYTES * 8) / 5) // 52
const CHECK_CHARS = 3
const CODE_CHARS = SECRET_CHARS + CHECK_CHARS // 55
const GROUP = 5
const CHECKSUM_LABEL = 'lattice-pairing-code-v1'

export class PairingCodeError extends Error {
  override name = 'PairingCodeError'
}

/** A fresh random workspace secret. */
export function newSecret(): Uint8Array {
  return new Uint8Array(randomBytes(SECRET_BYTES))
}

export function formatPairingCode(secret: Uint8Array): string {
  if (secret.length !== SECRET_BYTES) throw new Error(`a secret has ${SECRET_BYTES} bytes`)
  const chars = toBase32(secret) + checksum(secret)
  const groups: string[] = []
  for (let i = 0; i < chars.length; i += GROUP) groups.push(chars.slice(i, i + GROUP))
  return groups.join('-')
}

/** The secret a pairing code holds; throws `PairingCodeError` saying what is wrong. */
export function parsePairingCode(code: string): Uint8Array {
  const chars = code.toUpperCase().replace(/[\s-]/g, '')
  if (chars === '') throw new PairingCodeError('the pairing code is empty')
  const values: number[] = []
  for (const [i, c] of [...chars].entries()) {
    const v = ALPHABET.indexOf(c === 'I' || c === 'L' ? '1' : c === 'O' ? '0' : c)
    if (v < 0)
      throw new PairingCodeError(
        `${JSON.stringify(c)} (character ${i + 1}) cannot be in a pairing code: use 0-9 and A-Z except U`,
      )
    values.push(v)
  }
  if (values.length !== CODE_CHARS)
    throw new PairingCodeError(
      `a pairing code has ${CODE_CHARS} characters (${CODE_CHARS / GROUP} groups of ${GROUP}), this one has ${values.length}`,
    )
  const secret = fromBase32(values.slice(0, SECRET_CHARS))
  const given = values
    .slice(SECRET_CHARS)
    .map((v) => ALPHABET[v])
    .join('')
  if (secret === null || given !== checksum(secret))
    throw new PairingCodeError(
      "the pairing code's checksum does not match: a character is mistyped or missing",
    )
  return secret
}

function checksum(secret: Uint8Array): string {
  const digest = createHash('sha256').update(CHECKSUM_LABEL).update(secret).digest()
  return toBase32(digest).slice(0, CHECK_CHARS)
}

function toBase32(bytes: Uint8Array): string {
  let out = ''
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(acc >> bits) & 31]
    }
    acc &= (1 << bits) - 1
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31]
  return out
}

/** The bytes of 52 base32 values; null if the padding bits of the last one are not zero. */
function fromBase32(values: readonly number[]): Uint8Array | null {
  const out = new Uint8Array(SECRET_BYTES)
  let acc = 0
  let bits = 0
  let n = 0
  for (const v of values) {
    acc = (acc << 5) | v
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >> bits) & 0xff
      acc &= (1 << bits) - 1
    }
  }
  return acc === 0 ? out : null
}
