import type { Hash64 } from '../wire/frames'

/** Two independent 32-bit FNV-1a style lanes over a string: a 64-bit digest for anti-entropy. */
export function hash64(s: string): Hash64 {
  let h1 = 0x811c9dc5
  let h2 = 0x9e3779b9
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 16777619)
    h2 = Math.imul(h2 ^ c, 2246822507) ^ (h2 >>> 15)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [h1 >>> 0, h2 >>> 0]
}

export function xor64(a: Hash64, b: Hash64): Hash64 {
  return [(a[0] ^ b[0]) >>> 0, (a[1] ^ b[1]) >>> 0]
}

export const ZERO64: Hash64 = [0, 0]

export function equal64(a: Hash64, b: Hash64): boolean {
  return a[0] === b[0] && a[1] === b[1]
}
