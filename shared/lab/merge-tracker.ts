import type { NoteDoc } from '../engine/types'
import { authorship } from './authorship'
import type { LabLog } from './lab-log'
import { mergeReport, type Deletion, type MergeBase, type MergeReport } from './merge-report'

/**
 * What the merge report has to remember while the Lab runs: the text the replicas held when a
 * partition began (the first cut after they last agreed), and who deleted which character.
 */
export class MergeTracker {
  private readonly deletions = new Map<string, Deletion>()
  private base: MergeBase | null = null
  private partitioned = false

  /** From the first cut until every link is whole and the replicas are equal again. */
  get inPartition(): boolean {
    return this.partitioned
  }

  deleted(ids: readonly string[], by: Deletion): void {
    for (const id of ids) this.deletions.set(id, by)
  }

  /** From now on the report measures against `doc` as it is now (log position `event`). */
  mark(doc: NoteDoc, event: number): void {
    const a = authorship(doc)
    this.base = { event, text: a.text, ids: a.ids }
  }

  /** A link was cut: the first cut of a partition fixes the base. */
  cut(doc: NoteDoc, event: number): void {
    if (!this.partitioned) this.mark(doc, event)
    this.partitioned = true
  }

  /** The replicas are equal again with every link whole. */
  healed(): void {
    this.partitioned = false
  }

  report(merged: NoteDoc, log: LabLog, hosts: readonly string[]): MergeReport {
    if (!this.base) this.mark(merged, 0)
    return mergeReport(authorship(merged), this.base as MergeBase, log, this.deletions, hosts)
  }
}
