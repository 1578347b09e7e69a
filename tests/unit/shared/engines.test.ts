import { createNote } from '../../../shared/engine/create'
import { ENGINES } from '../../../shared/engine/types'
import { docId } from '../../../shared/ids'
import { runNoteDocSuite } from './engine-suite'

const DOC = docId('note-under-test')

// One acceptance suite, every engine (STYLE.md, "Boundaries as interfaces, proven by shared suites").
for (const engine of ENGINES) {
  runNoteDocSuite(engine, (replica, actorSeed) =>
    createNote(engine, { id: DOC, replica, actorSeed }),
  )
}
