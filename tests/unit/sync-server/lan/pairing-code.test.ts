import { describe, expect, it } from 'vitest'
import { Rng } from '../../../../shared/util/rng'
import {
  formatPairingCode,
  newSecret,
  PairingCodeError,
  parsePairingCode,
  SECRET_BYTES,
} from '../../../../sync-server/lan/pairing-code'
import { workspaceKeys } from '../../../../sync-server/lan/workspace'

const seed = Number(process.env.LATTICE_TEST_SEED ?? Date.now() % 100_000)
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

function secretFrom(rng: Rng): Uint8Array {
  return Uint8Array.from({ length: SECRET_BYTES }, () => rng.int(256))
}

function parseError(code: string): string {
  try {
    parsePairingCode(code)
  } catch (err) {
    if (err instanceof PairingCodeError) return err.message
    throw err
  }
  throw new Error(`${code} parsed`)
}

describe('pairing codes', () => {
  it(`round-trip every secret, as 11 groups of 5 base32 characters (seed ${seed})`, () => {
    const rng = new Rng(seed)
    for (let i = 0; i < 200; i++) {
      const secret = secretFrom(rng)
      const code = formatPairingCode(secret)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){10}$/)
      expect(parsePairingCode(code)).toEqual(secret)
    }
    expect(newSecret()).toHaveLength(32)
    expect(newSecret()).not.toEqual(newSecret())
  })

  it('forgive case, spaces, missing dashes and the look-alikes I, L and O', () => {
    const secret = secretFrom(new Rng(7))
    const code = formatPairingCode(secret)
    expect(parsePairingCode(code.toLowerCase())).toEqual(secret)
    expect(parsePairingCode(code.replace(/-/g, ' '))).toEqual(secret)
    expect(parsePairingCode(`  ${code.replace(/-/g, '')}\n`)).toEqual(secret)
    const withLookAlikes = code.replace(/1/g, 'l').replace(/0/g, 'O')
    expect(parsePairingCode(withLookAlikes)).toEqual(secret)
  })

  it('catch a mistyped character anywhere in the code', () => {
    const rng = new Rng(seed)
    const chars = formatPairingCode(secretFrom(rng)).replace(/-/g, '')
    let caught = 0
    for (let i = 0; i < chars.length; i++) {
      const other = ALPHABET[(ALPHABET.indexOf(chars[i] as string) + 1 + rng.int(31)) % 32]
      const typo = chars.slice(0, i) + other + chars.slice(i + 1)
      try {
        parsePairingCode(typo)
      } catch (err) {
        expect(err).toBeInstanceOf(PairingCodeError)
        caught++
      }
    }
    // A 15-bit checksum lets 1 typo in 32,768 through: allow one in this seed's 55.
    expect(caught, `seed ${seed}`).toBeGreaterThanOrEqual(chars.length - 1)
  })

  it('say what is wrong with a code that cannot be one', () => {
    const code = formatPairingCode(secretFrom(new Rng(3)))
    expect(parseError('')).toBe('the pairing code is empty')
    expect(parseError(' - ')).toBe('the pairing code is empty')
    expect(parseError(code.slice(0, -1))).toMatch(/has 55 characters .* this one has 54/)
    expect(parseError(`${code}X`)).toMatch(/this one has 56/)
    expect(parseError(`U${code.slice(1)}`)).toMatch(
      /"U" \(character 1\) cannot be in a pairing code/,
    )
    expect(parseError(code.replace(/-/, '#'))).toMatch(/"#" \(character 6\)/)
    const swapped = code.slice(1, 2) + code.slice(0, 1) + code.slice(2)
    if (swapped !== code) expect(parseError(swapped)).toMatch(/checksum does not match/)
  })

  it('never echo the code in an error (it is the secret)', () => {
    const code = formatPairingCode(secretFrom(new Rng(11)))
    for (const bad of [code.slice(0, 30), code.replace(/-/g, '').slice(0, 54) + 'Z'])
      expect(parseError(bad)).not.toContain(bad.replace(/-/g, '').slice(0, 8))
  })
})

describe('workspace keys', () => {
  it('give a 16-hex-digit hint and an auth key, both fixed by the secret and distinct', () => {
    const secret = secretFrom(new Rng(5))
    const a = workspaceKeys(secret)
    const b = workspaceKeys(Uint8Array.from(secret))
    expect(a.hint).toMatch(/^[0-9a-f]{16}$/)
    expect(a).toEqual(b)
    expect(a.authKey).toHaveLength(32)
    expect(Buffer.from(a.authKey).toString('hex')).not.toContain(a.hint)
    const other = workspaceKeys(secretFrom(new Rng(6)))
    expect(other.hint).not.toBe(a.hint)
  })

  it('show nothing of the secret in the hint', () => {
    const secret = secretFrom(new Rng(9))
    const hex = Buffer.from(secret).toString('hex')
    const { hint } = workspaceKeys(secret)
    for (let i = 0; i + 8 <= hint.length; i += 2) expect(hex).not.toContain(hint.slice(i, i + 8))
  })
})
