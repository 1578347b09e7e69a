import { mount } from 'svelte'
import type { NodeControl } from '../sync/node-control'
import { star } from '../../shared/lab/topology'
import LabPage from './LabPage.svelte'
import { LabView } from './lab-state.svelte'
import type { LabNote } from './lab-window'
import { labOnlyWorld, liveWorld, type LiveLabOptions, type NodeAccess } from './node-lab'

export { labRoute } from './lab-window'

/** The Lab panel on a note in this window: its own replica plus `extra` Lab replicas. */
export function openLabView(node: NodeAccess, control: NodeControl, o: LiveLabOptions): LabView {
  return new LabView(liveWorld(node, o), node, control)
}

/** A window that is only the Lab for a note: two Lab replicas of it, through the node. */
export function startLabPage(note: LabNote, node: NodeAccess, control: NodeControl): void {
  const target = document.getElementById('app')
  if (!target) throw new Error('no #app element')
  const view = new LabView(
    labOnlyWorld(node, note.engine, star(['Lab A', 'Lab B']), { doc: note.doc }),
    node,
    control,
    true,
  )
  document.title = 'Lattice Lab'
  addEventListener('pagehide', () => view.destroy())
  mount(LabPage, { target, props: { view, note } })
}
