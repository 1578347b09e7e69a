import type { EngineKind } from '../engine/types'
import type { LabWorld } from './lab-world'
import { runScript, type LabClock, type LabStep, type ScriptResult } from './script'
import { diffText, type DiffPart } from './text-diff'

/** One scenario's outcome on each engine, and where the merged texts differ. */
export interface EngineComparison {
  readonly results: Readonly<Record<EngineKind, ScriptResult>>
  /** The first lane's merged text on each engine. */
  readonly texts: Readonly<Record<EngineKind, string>>
  /** `a`: only in the Yjs text; `b`: only in the Automerge text. */
  readonly diff: readonly DiffPart[]
  readonly same: boolean
}

/** Runs the same steps on a Yjs world and an Automerge world at once, then diffs the merges. */
export async function compareEngines(
  worlds: Readonly<Record<EngineKind, LabWorld>>,
  steps: readonly LabStep[],
  clock: LabClock,
): Promise<EngineComparison> {
  const [yjs, automerge] = await Promise.all([
    runScript(worlds.yjs, steps, clock),
    runScript(worlds.automerge, steps, clock),
  ])
  const first = (w: LabWorld, r: ScriptResult) => r.texts[w.lanes[0]?.name ?? ''] ?? ''
  const texts = { yjs: first(worlds.yjs, yjs), automerge: first(worlds.automerge, automerge) }
  return {
    results: { yjs, automerge },
    texts,
    diff: diffText(texts.yjs, texts.automerge),
    same: texts.yjs === texts.automerge,
  }
}
