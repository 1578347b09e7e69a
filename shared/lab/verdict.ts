import { lead, type VersionVector } from '../vv/version-vector'

export interface ReplicaState {
  readonly host: string
  readonly digest: string
  readonly version: VersionVector
}

export type Verdict =
  | { readonly kind: 'converged' }
  /** Per host, how many edits (engine counter steps) it lacks that some other replica has. */
  | { readonly kind: 'diverged'; readonly lacking: Readonly<Record<string, number>> }

/** Converged when every replica holds the same state (equal digests), else who lacks what. */
export function verdictOf(replicas: readonly ReplicaState[]): Verdict {
  const first = replicas[0]
  if (!first || replicas.every((r) => r.digest === first.digest)) return { kind: 'converged' }
  const lacking: Record<string, number> = {}
  for (const r of replicas) {
    let most = 0
    for (const other of replicas)
      if (other !== r) most = Math.max(most, lead(other.version, r.version))
    lacking[r.host] = most
  }
  return { kind: 'diverged', lacking }
}
