import type * as AutomergeModule from '@automerge/automerge'
import type * as YjsModule from 'yjs'
import type * as CreateModule from '../shared/engine/create'
import type * as IdsModule from '../shared/ids'
import type { TraceTxn } from './lib/traces'

/** Raw Yjs, raw Automerge, and Lattice's engine layer over each. */
export const VARIANTS = ['raw-yjs', 'lattice-yjs', 'raw-automerge', 'lattice-automerge'] as const
export type VariantName = (typeof VARIANTS)[number]

export function isVariantName(v: unknown): v is VariantName {
  return VARIANTS.some((x) => x === v)
}

/** The raw library each Lattice variant is measured against. */
export const BASELINE_OF: Readonly<Partial<Record<VariantName, VariantName>>> = {
  'lattice-yjs': 'raw-yjs',
  'lattice-automerge': 'raw-automerge',
}

/**
 * Every variant writes as the same actor: Yjs writes its client id as a varint into every
 * update, so two random ids would make the byte counts differ by chance. (Lattice derives
 * both engines' actors from this seed; raw Automerge gets the actor Lattice would derive.)
 */
const ACTOR_SEED = 0x9e3779b9
const AUTOMERGE_ACTOR = ACTOR_SEED.toString(16).padStart(8, '0').repeat(4)

/** A document being built from a trace, one commit per trace transaction. */
export interface Replayer {
  apply(txn: TraceTxn): void
  text(): string
  /** Sum of the bytes each commit produced for storage and sync. */
  updateBytes(): number
  /** Size of the full encoded state. */
  encodedSize(): number
  destroy(): void
}

/**
 * Loads the libraries one variant needs (and only those), then returns its factory; the module
 * loading happens before any memory is measured.
 */
export async function loadVariant(name: VariantName): Promise<() => Replayer> {
  switch (name) {
    case 'raw-yjs': {
      const Y = await import('yjs')
      return () => rawYjs(Y)
    }
    case 'raw-automerge': {
      const A = await import('@automerge/automerge')
      return () => rawAutomerge(A)
    }
    case 'lattice-yjs':
    case 'lattice-automerge': {
      const [create, ids] = await Promise.all([
        import('../shared/engine/create'),
        import('../shared/ids'),
      ])
      const engine = name === 'lattice-yjs' ? 'yjs' : 'automerge'
      return () => lattice(create, ids, engine)
    }
  }
}

function rawYjs(Y: typeof YjsModule): Replayer {
  const doc = new Y.Doc()
  doc.clientID = ACTOR_SEED
  const body = doc.getText('body')
  let bytes = 0
  doc.on('update', (update: Uint8Array) => {
    bytes += update.length
  })
  return {
    apply(txn) {
      doc.transact(() => {
        for (const [pos, del, ins] of txn.patches) {
          if (del > 0) body.delete(pos, del)
          if (ins.length > 0) body.insert(pos, ins)
        }
      })
    },
    text: () => body.toString(),
    updateBytes: () => bytes,
    encodedSize: () => Y.encodeStateAsUpdate(doc).length,
    destroy: () => doc.destroy(),
  }
}

function rawAutomerge(A: typeof AutomergeModule): Replayer {
  let doc = A.change(A.init<{ body: string }>({ actor: AUTOMERGE_ACTOR }), (d) => {
    d.body = ''
  })
  let bytes = 0
  return {
    apply(txn) {
      const before = doc
      doc = A.change(doc, (d) => {
        for (const [pos, del, ins] of txn.patches) A.splice(d, ['body'], pos, del, ins)
      })
      if (doc !== before) bytes += A.getLastLocalChange(doc)?.length ?? 0
    },
    text: () => doc.body,
    updateBytes: () => bytes,
    encodedSize: () => A.save(doc).length,
    destroy: () => A.free(doc),
  }
}

function lattice(
  { createNote }: typeof CreateModule,
  { docId, replicaId }: typeof IdsModule,
  engine: 'yjs' | 'automerge',
): Replayer {
  const note = createNote(engine, {
    id: docId('bench'),
    replica: replicaId('bench'),
    actorSeed: ACTOR_SEED,
  })
  let bytes = 0
  // What storage and sync do with every change.
  note.onChange((change) => {
    bytes += change.update().length
  })
  return {
    apply(txn) {
      note.transact(() => {
        for (const [pos, del, ins] of txn.patches) {
          note.delete(pos, del)
          note.insert(pos, ins)
        }
      })
    },
    text: () => note.text(),
    updateBytes: () => bytes,
    encodedSize: () => note.encodeState().length,
    destroy: () => note.destroy(),
  }
}
