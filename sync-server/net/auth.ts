import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The token a client offered: `?token=`, `Authorization: Bearer …` or `X-Lattice-Token`. */
export function offeredToken(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token')
  if (q) return q
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim()
  const header = req.headers['x-lattice-token']
  return typeof header === 'string' ? header : null
}

/** Constant-time comparison (of hashes, so lengths don't leak either). */
export function tokenMatches(expected: string, offered: string | null): boolean {
  if (offered === null) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(offered).digest()
  return timingSafeEqual(a, b)
}
