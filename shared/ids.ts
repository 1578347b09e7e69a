// Branded ids: a peer id can't be passed where a note id is expected.
export type ReplicaId = string & { readonly __brand: 'ReplicaId' }
export type DocId = string & { readonly __brand: 'DocId' }
export type LinkId = string & { readonly __brand: 'LinkId' }

export const MAX_ID_LENGTH = 128
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/

/** Ids travel on the wire and name rooms and storage keys: keep them short and path-safe. */
export function isValidId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id) && !id.includes('..')
}

function brand<T extends string>(kind: string) {
  return (id: string): T => {
    if (!isValidId(id)) throw new InvalidIdError(kind, id)
    return id as T
  }
}

export class InvalidIdError extends Error {
  constructor(
    readonly kind: string,
    readonly value: string,
  ) {
    super(
      `invalid ${kind} id ${JSON.stringify(value.slice(0, 40))}: use 1-${MAX_ID_LENGTH} characters of A-Z a-z 0-9 . _ : - (no leading symbol, no "..")`,
    )
    this.name = 'InvalidIdError'
  }
}

export const replicaId = brand<ReplicaId>('replica')
export const docId = brand<DocId>('document')
export const linkId = brand<LinkId>('link')

/** A random id from the platform's crypto (available in Node 20, browsers and Electron). */
export function randomId(prefix = ''): string {
  const bytes = new Uint8Array(9)
  globalThis.crypto.getRandomValues(bytes)
  let s = ''
  for (const b of bytes) s += b.toString(36).padStart(2, '0')
  return prefix + s
}
