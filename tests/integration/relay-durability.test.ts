import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { afterAll, describe, expect, it } from 'vitest'
import { Rng } from '../../shared/util/rng'
import { LatticeClient } from './helpers/lattice-client'
import { killHard, spawnRelay, type RelayProcess } from './helpers/relay-process'

const NOTE = 'durable-note'
const KILLS = 20
const seed = Number(process.env.LATTICE_TEST_SEED ?? Date.now() % 100_000)

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

function clockOf(version: Uint8Array, client: number): number {
  return Y.decodeStateVector(version).get(client) ?? 0
}

describe('the relay under kill -9', () => {
  it(`keeps every acknowledged edit through ${KILLS} hard kills at random moments (seed ${seed})`, async () => {
    const rng = new Rng(seed)
    const data = await mkdtemp(join(tmpdir(), 'lattice-durability-'))
    dirs.push(data)
    const writer = new LatticeClient('writer')
    const note = writer.open(NOTE, 'yjs')
    const client = Number(note.actor)
    /** Each token typed, with the writer's clock once it was in the document. */
    const typed: Array<{ token: string; clock: number }> = []
    let acked = 0
    writer.replica.events.on((e) => {
      if (e.type === 'ack' && e.doc === NOTE) acked = Math.max(acked, clockOf(e.version, client))
    })
    let totalAcked = 0
    for (let round = 0; round < KILLS; round++) {
      const relay: RelayProcess = await spawnRelay(['--data', data])
      const health = (await (await fetch(`http://127.0.0.1:${relay.port}/healthz`)).json()) as {
        unreadableDocuments: string[]
      }
      expect(health.unreadableDocuments, `seed ${seed} round ${round}`).toEqual([])
      // A fresh reader sees what the relay has on disk, before the writer resends anything.
      if (round > 0) {
        const reader = new LatticeClient(`reader${round}`)
        const copy = reader.open(NOTE, 'yjs')
        const ack = reader.nextAck(NOTE)
        await reader.connect(relay.url)
        await ack
        const text = copy.text()
        const mustHave = typed.filter((t) => t.clock <= acked)
        for (const t of mustHave)
          expect(text, `seed ${seed} round ${round}: acknowledged ${t.token} lost`).toContain(
            t.token,
          )
        totalAcked = mustHave.length
        reader.disconnect()
      }
      await writer.connect(relay.url)
      const stopAt = Date.now() + 50 + rng.int(400)
      while (Date.now() < stopAt) {
        const token = `[${round}.${typed.length}]`
        note.insert(note.text().length, token)
        typed.push({ token, clock: note.version()[String(client)] ?? 0 })
        await new Promise((r) => setTimeout(r, rng.int(4)))
      }
      await killHard(relay)
      writer.disconnect()
    }
    console.log(
      `durability (seed ${seed}): ${typed.length} edits typed, ${totalAcked} acknowledged before the last kill, all present after ${KILLS} kill -9`,
    )
    expect(totalAcked).toBeGreaterThan(KILLS)
  }, 180_000)
})
