import type { EngineKind } from '../../shared/engine/types'
import type { YjsNote } from '../../shared/engine/yjs-note'
import { docId, type DocId } from '../../shared/ids'
import { Notebook, NOTEBOOK_ID } from '../../shared/notebook/notebook'
import { LatticeNode } from '../../sync-server/node/lattice-node'
import { LevelDocStore } from '../../sync-server/storage/level-store'

/**
 * Fills a node's storage folder with `count` notes (titles in the notebook, a paragraph each),
 * as a person's years of notes would be: what the app must start over quickly.
 */
export async function seedNotes(dir: string, count: number): Promise<DocId[]> {
  const store = await LevelDocStore.open(dir)
  const node = await LatticeNode.open({ store })
  const notebookDoc = (await node.retain(NOTEBOOK_ID, 'yjs')) as YjsNote
  const notebook = new Notebook(node.id, notebookDoc)
  const ids: DocId[] = []
  const batch = 500
  for (let start = 0; start < count; start += batch) {
    const made: DocId[] = []
    notebookDoc.transact(() => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const engine: EngineKind = i % 10 === 9 ? 'automerge' : 'yjs'
        const id = docId(`note-${String(i).padStart(5, '0')}`)
        notebook.create(engine, `Note ${i}`, id, 1_700_000_000_000 + i)
        made.push(id)
      }
    })
    for (const id of made) {
      const doc = await node.retain(id, notebook.get(id)?.engine ?? 'yjs')
      doc.insert(0, `Body of ${id}: a paragraph that stands for what a person wrote here.`)
      node.release(id)
    }
    await node.flush()
    await node.unloadIdle(Date.now() + 3_600_000)
    ids.push(...made)
  }
  node.release(NOTEBOOK_ID)
  await node.close()
  return ids
}
