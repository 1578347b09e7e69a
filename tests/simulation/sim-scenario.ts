import type { CausalEvent, NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { Rng } from '../../shared/util/rng'
import { dominates, format } from '../../shared/vv/version-vector'
import { DOCS, SimWorld, type SimNode } from './sim-world'

export interface ScenarioStats {
  replicas: number
  edges: number
  edits: number
  crashes: number
  frames: number
}

/** Tokens typed into a document: each must end up exactly once unless someone deleted it. */
class TokenLedger {
  readonly inserted = new Map<DocId, Set<string>>()
  readonly deleted = new Map<DocId, Set<string>>()

  add(map: Map<DocId, Set<string>>, doc: DocId, token: string): void {
    const set = map.get(doc) ?? new Set<string>()
    set.add(token)
    map.set(doc, set)
  }
}

/** Positions between whole tokens: the only places a simulated user types. */
function boundaries(text: string): number[] {
  const out = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === ']') out.push(i + 1)
  return out
}

function edit(rng: Rng, node: SimNode, ledger: TokenLedger, counter: number): void {
  const { id } = rng.pick(DOCS)
  const doc = node.replica!.getDoc(id)!
  const text = doc.text()
  const roll = rng.next()
  if (roll < 0.15) {
    doc.setTitle(`t${node.index}.${counter}`)
  } else if (roll < 0.3 && text.length > 0) {
    const starts = boundaries(text).slice(0, -1)
    const start = rng.pick(starts)
    const end = text.indexOf(']', start) + 1
    ledger.add(ledger.deleted, id, text.slice(start, end))
    doc.delete(start, end - start)
  } else {
    const token = `[${node.index}.${counter}]`
    ledger.add(ledger.inserted, id, token)
    const at = rng.pick(boundaries(text))
    if (rng.chance(0.2)) {
      // Two edits in one commit.
      const second = `[${node.index}.${counter}b]`
      ledger.add(ledger.inserted, id, second)
      doc.transact(() => {
        doc.insert(at, token)
        doc.insert(at + token.length, second)
      })
    } else doc.insert(at, token)
  }
}

function injectFault(rng: Rng, world: SimWorld): void {
  const edge = rng.pick(world.edges)
  const end = rng.pick(edge.ends)
  const roll = rng.next()
  if (roll < 0.25) end.cut(rng.pick(['out', 'in', 'both'] as const))
  else if (roll < 0.45) end.heal()
  else if (roll < 0.55) edge.pair.disconnect({ code: 1006, reason: 'network down' })
  else if (roll < 0.65) world.reconnect(edge)
  else {
    end.set(rng.pick(['out', 'in', 'both'] as const), {
      loss: rng.chance(0.5) ? rng.next() * 0.5 : 0,
      duplicate: rng.chance(0.5) ? rng.next() * 0.5 : 0,
      reorder: rng.chance(0.5) ? rng.next() * 0.5 : 0,
      delayMs: rng.int(20),
      jitterMs: rng.int(20),
    })
  }
}

function fail(seed: number, message: string): never {
  throw new Error(
    `seed ${seed}: ${message}\n  replay: LATTICE_SIM_SEED=${seed} npx vitest run tests/simulation`,
  )
}

/** Invariant 3: whoever holds a commit holds everything that commit depended on. */
function checkCausality(seed: number, commits: SimWorld['commits'], applies: CausalEvent[]): void {
  const byDoc = new Map<DocId, SimWorld['commits']>()
  for (const c of commits) if (c.dot) byDoc.set(c.doc, [...(byDoc.get(c.doc) ?? []), c])
  for (const a of applies) {
    for (const c of byDoc.get(a.doc) ?? []) {
      const dot = c.dot!
      if ((a.version[dot.actor] ?? 0) >= dot.counter && !dominates(a.version, c.deps)) {
        fail(
          seed,
          `${a.replica} applied ${dot.actor}:${dot.counter} of ${a.doc} at ${format(a.version)} without its dependencies ${format(c.deps)}`,
        )
      }
    }
  }
}

function checkConverged(seed: number, world: SimWorld, ledger: TokenLedger): void {
  for (const { id } of DOCS) {
    const docs = world.nodes.map((n) => n.replica!.getDoc(id)!) as NoteDoc[]
    const first = docs[0]!
    for (const d of docs) {
      if (
        d.text() !== first.text() ||
        d.title() !== first.title() ||
        d.digest() !== first.digest()
      ) {
        fail(
          seed,
          `${id} diverged: ${first.replica} "${first.text()}" vs ${d.replica} "${d.text()}"`,
        )
      }
      if (format(d.version()) !== format(first.version()))
        fail(
          seed,
          `${id} version vectors differ: ${format(first.version())} vs ${format(d.version())}`,
        )
      if (d.held() !== 0) fail(seed, `${id} at ${d.replica} still holds ${d.held()} updates`)
    }
    const text = first.text()
    for (const token of ledger.inserted.get(id) ?? []) {
      const count = text.split(token).length - 1
      const expected = ledger.deleted.get(id)?.has(token) ? 0 : 1
      if (count !== expected)
        fail(seed, `${id}: token ${token} appears ${count} times, expected ${expected}`)
    }
  }
}

/** Invariant 6: reconnecting replicas that are in sync exchange hello and digest only. */
function checkQuiescent(seed: number, world: SimWorld): void {
  world.framesSent = {}
  for (const e of world.edges) e.pair.disconnect()
  for (const e of world.edges) e.pair.connect()
  if (world.scheduler.run(100_000) >= 100_000)
    fail(seed, 'traffic never stopped after reconnecting in-sync replicas')
  const { hello = 0, digest = 0, ...rest } = world.framesSent
  if (Object.keys(rest).length > 0)
    fail(
      seed,
      `in-sync replicas sent more than hello and digest: ${JSON.stringify(world.framesSent)}`,
    )
  if (hello !== 2 * world.edges.length || digest !== 2 * world.edges.length)
    fail(
      seed,
      `expected one hello and one digest per side, got ${JSON.stringify(world.framesSent)}`,
    )
}

export function runScenario(seed: number): ScenarioStats {
  const rng = new Rng(seed)
  const world = new SimWorld(rng.fork(), 2 + rng.int(7))
  const ledger = new TokenLedger()
  const steps = 8 + rng.int(33)
  let edits = 0
  let crashes = 0
  for (let step = 0; step < steps; step++) {
    const roll = rng.next()
    const alive = world.alive()
    if (roll < 0.5 && alive.length > 0) edit(rng, rng.pick(alive), ledger, edits++)
    else if (roll < 0.7) injectFault(rng, world)
    else if (roll < 0.75 && alive.length > 0) {
      world.crash(rng.pick(alive))
      crashes++
    } else if (roll < 0.82) world.restart(rng.pick(world.nodes))
    else if (roll < 0.88) world.flush(rng.pick(world.nodes))
    else world.scheduler.advance(rng.int(30))
  }
  world.healAll()
  if (world.scheduler.run(200_000) >= 200_000) fail(seed, 'replicas never went quiet after healing')
  // A lossy or reordering link can swallow or overtake a hello; that connection is refused
  // with a clear reason and restarts on heal. Any other protocol error is a bug.
  const localErrors = world.errors.filter((e) => e.startsWith('local') && !/hello/.test(e))
  if (localErrors.length > 0) fail(seed, `protocol errors: ${localErrors.join('; ')}`)
  checkConverged(seed, world, ledger)
  checkCausality(seed, world.commits, world.applies)
  const frames = Object.values(world.framesSent).reduce((a, b) => a + b, 0)
  checkQuiescent(seed, world)
  for (const n of world.nodes) world.crash(n)
  return { replicas: world.nodes.length, edges: world.edges.length, edits, crashes, frames }
}
