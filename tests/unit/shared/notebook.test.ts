import { describe, expect, it } from 'vitest'
import { docId, replicaId, type ReplicaId } from '../../../shared/ids'
import { Notebook } from '../../../shared/notebook/notebook'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { Replica } from '../../../shared/sync/replica'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'

function twoReplicas() {
  const scheduler = new VirtualScheduler()
  const make = (name: string) => {
    const id: ReplicaId = replicaId(name)
    const replica = new Replica({ id, mode: 'full' })
    const notebook = new Notebook(id)
    replica.adopt(notebook.doc)
    return { replica, notebook }
  }
  const a = make('a')
  const b = make('b')
  const pair = new MemoryLinkPair('ab', scheduler)
  a.replica.attach(pair.a)
  b.replica.attach(pair.b)
  pair.connect()
  const settle = () => scheduler.run()
  return { a, b, pair, settle }
}

describe('the notebook is a synced document', () => {
  it('propagates create, rename, trash and restore', () => {
    const { a, b, settle } = twoReplicas()
    const id = a.notebook.create('automerge', 'Groceries')
    settle()
    expect(b.notebook.list().map((e) => [e.id, e.title, e.engine])).toEqual([
      [id, 'Groceries', 'automerge'],
    ])
    b.notebook.rename(id, 'Shopping')
    settle()
    expect(a.notebook.get(id)?.title).toBe('Shopping')
    a.notebook.trash(id, 'd1')
    settle()
    expect(b.notebook.list({ trashed: false })).toEqual([])
    expect(b.notebook.list({ trashed: true }).map((e) => e.id)).toEqual([id])
    b.notebook.restore(id)
    settle()
    expect(a.notebook.get(id)?.trashed).toBe(false)
  })

  it('keeps both a rename and a trash made concurrently while cut off', () => {
    const { a, b, pair, settle } = twoReplicas()
    const id = a.notebook.create('yjs', 'Plan')
    settle()
    pair.disconnect()
    a.notebook.rename(id, 'Plan B')
    b.notebook.trash(id, 'digest-at-b')
    pair.connect()
    settle()
    for (const nb of [a.notebook, b.notebook]) {
      expect(nb.get(id)).toMatchObject({ title: 'Plan B', trashed: true })
    }
  })

  it('refuses to purge a note edited after it was trashed', () => {
    const { a } = twoReplicas()
    const id = a.notebook.create('yjs', 'x')
    a.notebook.trash(id, 'v1')
    expect(a.notebook.purge(id, 'v2')).toBe('edited-since-trash')
    expect(a.notebook.get(id)?.purged).toBe(false)
    expect(a.notebook.purge(id, 'v1')).toBe('purged')
    expect(a.notebook.list({ trashed: true })).toEqual([])
  })

  it('revives into the trash a note purged concurrently with an edit, losing nothing', () => {
    const { a, b, pair, settle } = twoReplicas()
    const id = a.notebook.create('yjs', 'Draft')
    const noteA = a.replica.open(id, 'yjs')
    noteA.insert(0, 'original')
    a.notebook.trash(id, noteA.digest())
    settle()
    const noteB = b.replica.getDoc(id)!
    pair.disconnect()
    // A purges what it saw; B, cut off, keeps typing into the trashed note.
    expect(a.notebook.purge(id, noteA.digest())).toBe('purged')
    noteB.insert(8, ' + late edit')
    pair.connect()
    settle()
    expect(a.notebook.get(id)?.purged).toBe(true)
    // The replica holding the edit the purge never saw brings it back.
    expect(b.notebook.reconcile(id, noteB.digest())).toBe(true)
    settle()
    for (const side of [a, b]) {
      expect(side.notebook.get(id)).toMatchObject({ purged: false, trashed: true, revived: true })
      expect(side.replica.getDoc(id)?.text()).toBe('original + late edit')
    }
    // A replica whose copy matches what the purge saw has nothing to revive.
    expect(a.notebook.reconcile(docId('n-unknown'), 'x')).toBe(false)
  })
})
