import type { EngineKind } from '../../shared/engine/types'
import { compareEngines, type EngineComparison } from '../../shared/lab/engine-compare'
import { describeHealCost } from '../../shared/lab/heal-cost'
import type { LabWorld } from '../../shared/lab/lab-world'
import { presetLanes, SAME_SPOT, type Preset } from '../../shared/lab/presets'
import { Recorder, replayLanes, type Recording } from '../../shared/lab/recording'
import { replay } from '../../shared/lab/replay'
import { realClock, runScript, type LabClock, type ScriptResult } from '../../shared/lab/script'
import type { LabView } from './lab-state.svelte'
import { labOnlyWorld } from './node-lab'

/** Thrown out of a wait when the person stops a run. */
class Stopped extends Error {}

function summary(title: string, r: ScriptResult): string {
  if (r.verdict.kind !== 'converged') return `${title}: did not converge`
  return `${title}: converged${r.cost ? `, ${describeHealCost(r.cost)}` : ''}`
}

/** What the Lab runs on its own: presets, recording and replay, the engines side by side. */
export class LabRuns {
  /** What is running now, for the status line; null when idle. */
  running = $state<string | null>(null)
  outcome = $state<string | null>(null)
  recorder = $state.raw<Recorder | null>(null)
  recording = $state.raw<Recording | null>(null)
  replayMatched = $state<boolean | null>(null)
  comparison = $state.raw<EngineComparison | null>(null)
  private stopped = false
  private compared: LabWorld[] = []
  /** The real clock, except that a stopped run's next wait throws. */
  private readonly clock: LabClock = {
    now: realClock.now,
    sleep: (ms) => (this.stopped ? Promise.reject(new Stopped()) : realClock.sleep(ms)),
  }

  constructor(readonly view: LabView) {}

  private get engine(): EngineKind {
    return this.view.live.opts.engine
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    if (this.running) return null
    this.running = what
    this.outcome = null
    this.stopped = false
    try {
      return await fn()
    } catch (err) {
      this.outcome =
        err instanceof Stopped || this.stopped
          ? `${what}: stopped`
          : `${what} failed: ${(err as Error).message}`
      return null
    } finally {
      this.running = null
    }
  }

  /** Runs a preset on a scratch note with Lab replicas of its own, through the node. */
  runPreset(preset: Preset, seed = (Math.random() * 2 ** 31) >>> 0): Promise<void | null> {
    return this.run(preset.title, async () => {
      const world = labOnlyWorld(this.view.node, this.engine, preset.topology, {
        lanes: presetLanes(preset),
      })
      this.view.show(world, `Preset: ${preset.title} (seed ${seed})`)
      const result = await runScript(world, preset.steps(seed), this.clock)
      this.outcome = summary(`${preset.title} (seed ${seed})`, result)
    })
  }

  startRecording(): void {
    this.recording = null
    this.recorder = new Recorder(this.view.world, this.clock)
  }

  stopRecording(): void {
    this.recording = this.recorder?.stop() ?? null
    this.recorder = null
  }

  /** Replays on fresh Lab replicas of a scratch note, then says whether it came out the same. */
  replay(rec: Recording): Promise<void | null> {
    return this.run('Replay', async () => {
      this.replayMatched = null
      const world = labOnlyWorld(this.view.node, rec.engine, rec.topology, {
        lanes: replayLanes(rec, Math.random),
        seeds: { ...rec.seeds },
      })
      this.view.show(world, `Replay of a recording (${rec.steps.length} steps)`)
      const r = await replay(world, rec, this.clock)
      this.replayMatched = r.sameText && r.sameDiagram
      this.outcome = this.replayMatched
        ? 'Replay matched the recording: same text on every replica, same events per lane'
        : `Replay differed: ${r.sameText ? 'same text' : 'different text'}, ${
            r.sameDiagram ? 'same events per lane' : 'different events per lane'
          }${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`
    })
  }

  /** One concurrent scenario on a Yjs note and an Automerge note at once. */
  compare(): Promise<void | null> {
    return this.run('Yjs and Automerge side by side', async () => {
      this.comparison = null
      this.dropCompared()
      const make = (engine: EngineKind) =>
        labOnlyWorld(this.view.node, engine, SAME_SPOT.topology, { lanes: presetLanes(SAME_SPOT) })
      const worlds = { yjs: make('yjs'), automerge: make('automerge') }
      this.compared = [worlds.yjs, worlds.automerge]
      this.comparison = await compareEngines(worlds, SAME_SPOT.steps(1), this.clock)
      this.outcome = this.comparison.same
        ? 'Yjs and Automerge merged to the same text'
        : 'Yjs and Automerge merged the same edits differently'
    })
  }

  stop(): void {
    this.stopped = true
  }

  backToNote(): void {
    this.stop()
    this.view.show(this.view.live, null)
  }

  private dropCompared(): void {
    for (const w of this.compared) w.destroy()
    this.compared = []
  }

  destroy(): void {
    this.stop()
    this.recorder?.stop()
    this.dropCompared()
  }
}
