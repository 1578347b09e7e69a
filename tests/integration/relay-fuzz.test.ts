import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { afterAll, describe, expect, it } from 'vitest'
import { createNote } from '../../shared/engine/create'
import { docId, replicaId, type DocId } from '../../shared/ids'
import { Rng } from '../../shared/util/rng'
import {
  latticeFrames,
  latticeHello,
  yWebsocketFrames,
  type FuzzContext,
  type Generated,
} from './helpers/fuzz-frames'
import { healthStatus, SyncedPair } from './helpers/relay-peers'
import { spawnRelay, type RelayProcess } from './helpers/relay-process'

const seed = Number(process.env.LATTICE_FUZZ_SEED ?? Date.now() % 1_000_000)
const TOTAL_FRAMES = Number(process.env.LATTICE_FUZZ_FRAMES ?? 100_000)
const WORKERS = 16
const TOKEN = 'fuzzing-token-123'
const FUZZ_DOCS: DocId[] = Array.from({ length: 32 }, (_, i) => docId(`fuzz-doc-${i}`))
const FUZZ_AM_DOCS: DocId[] = Array.from({ length: 3 }, (_, i) => docId(`fuzz-am-${i}`))

type Endpoint = 'lattice' | 'room'

interface Tally {
  frames: number
  connections: number
  /** Closes the server started, by endpoint and code: reason (numbers folded). */
  closes: Map<string, number>
  /** Closes that break the rules: outside 1000-4999, no close frame, or a 4xxx with no reason. */
  bad: string[]
  /** Per generator, how many frames it produced. */
  generators: Map<string, number>
}

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n)

/** Reasons carry ids and numbers; fold them so the distribution groups by kind of failure. */
const foldReason = (reason: string) =>
  reason
    .replace(/"[^"]*"?/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 70)

/**
 * One fuzzing connection: opens, sends batches, and when the server closes it, checks the
 * close and records it. Resolves when the connection is gone.
 */
async function fuzzConnection(
  relay: RelayProcess,
  rng: Rng,
  endpoint: Endpoint,
  tally: Tally,
  budget: () => number,
): Promise<void> {
  const ctx: FuzzContext = {
    docs: FUZZ_DOCS,
    amDocs: FUZZ_AM_DOCS,
    ydoc: new Y.Doc(),
    amNote: createNote('automerge', { id: docId('fuzz-local'), replica: replicaId('fuzzer') }),
  }
  // Rooms: mostly Yjs notes; sometimes an Automerge note (y-websocket must refuse it) or a bad name.
  const room = rng.chance(0.05) ? rng.pick(FUZZ_AM_DOCS) : rng.pick(FUZZ_DOCS)
  const path = endpoint === 'lattice' ? '/lattice' : `/${room}${rng.chance(0.05) ? '/x' : ''}`
  const auth = rng.int(20)
  const url = `${relay.url}${path}${auth < 10 ? `?token=${TOKEN}` : ''}`
  const headers: Record<string, string> =
    auth >= 10 && auth < 19 ? { authorization: `Bearer ${TOKEN}` } : {}
  const ws = new WebSocket(url, { headers })
  tally.connections++
  let clientClosed = false
  const closed = new Promise<void>((done) => {
    ws.on('error', () => {})
    ws.on('close', (code, reasonBytes) => {
      const reason = reasonBytes.toString()
      if (!clientClosed) {
        bump(tally.closes, `${endpoint.padEnd(7)} ${code} ${foldReason(reason)}`)
        const inRange = code >= 1000 && code <= 4999 && code !== 1005 && code !== 1006
        if (!inRange || (code >= 4000 && reason.trim() === ''))
          tally.bad.push(`${endpoint} ${path}: close ${code} "${reason}"`)
      }
      ctx.ydoc.destroy()
      ctx.amNote.destroy()
      done()
    })
  })
  const opened = await new Promise<boolean>((ok) => {
    ws.once('open', () => ok(true))
    ws.once('close', () => ok(false))
  })
  if (!opened) return closed

  const frames = endpoint === 'lattice' ? latticeFrames : yWebsocketFrames
  const send = (g: Generated | Uint8Array) => {
    if (ws.readyState !== WebSocket.OPEN) return
    if (g instanceof Uint8Array) {
      ws.send(g, { binary: true })
      bump(tally.generators, `${endpoint} hello`)
    } else {
      ws.send(g.payload.bytes, { binary: g.payload.kind === 'binary' })
      bump(tally.generators, `${endpoint} ${g.gen}`)
    }
    tally.frames++
  }
  // A handful of batches per connection; most connections end with a frame the server rejects.
  const batches = 1 + rng.int(4)
  for (let b = 0; b < batches && ws.readyState === WebSocket.OPEN && budget() > 0; b++) {
    if (b === 0 && endpoint === 'lattice' && rng.chance(0.85)) send(latticeHello(rng))
    const benign = rng.int(60)
    for (let i = 0; i < benign; i++) send(frames.benign(rng, ctx))
    const last = b === batches - 1
    const hostile = last && rng.chance(0.9) ? 1 + rng.int(rng.chance(0.2) ? 40 : 3) : 0
    for (let i = 0; i < hostile; i++) send(frames.hostile(rng, ctx))
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5 + rng.int(20)))])
  }
  if (ws.readyState === WebSocket.OPEN) {
    // Give a rejection in flight time to arrive, then hang up ourselves.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 50))])
    if (ws.readyState === WebSocket.OPEN) {
      clientClosed = true
      ws.close(1000, 'fuzzer done')
    }
  }
  return closed
}

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('the relay under fuzzing', () => {
  it(`survives ${TOTAL_FRAMES} random and mutated frames on both endpoints, closing each bad connection with a reason, while a pair keeps syncing (seed ${seed})`, async () => {
    console.log(`relay fuzz: seed ${seed} (replay with LATTICE_FUZZ_SEED=${seed})`)
    const started = Date.now()
    const data = await mkdtemp(join(tmpdir(), 'lattice-fuzz-'))
    dirs.push(data)
    const relay = await spawnRelay(['--data', data, '--token', TOKEN])
    let stderr = ''
    relay.child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    let crashed: string | null = null
    void relay.exited.then((code) => (crashed = `relay process exited (${code}): ${stderr}`))
    const pair = new SyncedPair(relay.url, 'canary-note', TOKEN)
    const pairDrops: string[] = []
    for (const c of [pair.a, pair.b])
      c.link.onClose((info) => pairDrops.push(`${info.code} ${info.reason}`))
    try {
      await pair.roundTrip()
      const tally: Tally = {
        frames: 0,
        connections: 0,
        closes: new Map(),
        bad: [],
        generators: new Map(),
      }
      const rng = new Rng(seed)
      const budget = () => TOTAL_FRAMES - tally.frames

      // Watchers: health every 250 ms, the canary pair's edits crossing continuously.
      let fuzzing = true
      const healthFailures: string[] = []
      let healthChecks = 0
      const watchHealth = (async () => {
        while (fuzzing) {
          const status = await healthStatus(relay.port)
          healthChecks++
          if (status !== 200) healthFailures.push(`health ${status} after ${tally.frames} frames`)
          await new Promise((r) => setTimeout(r, 250))
        }
      })()
      let pairRounds = 0
      const pairFailures: string[] = []
      const watchPair = (async () => {
        while (fuzzing) {
          try {
            await pair.roundTrip(15_000)
            pairRounds++
          } catch (err) {
            pairFailures.push(`${(err as Error).message} after ${tally.frames} frames`)
          }
        }
      })()

      const workers = Array.from({ length: WORKERS }, async (_, w) => {
        const wrng = rng.fork()
        for (let n = 0; budget() > 0 && crashed === null; n++) {
          const endpoint: Endpoint = (w + n) % 2 === 0 ? 'lattice' : 'room'
          await fuzzConnection(relay, wrng.fork(), endpoint, tally, budget)
        }
      })
      await Promise.all(workers)
      const fuzzMs = Date.now() - started
      fuzzing = false
      await Promise.all([watchHealth, watchPair])

      const byCount = (m: Map<string, number>) =>
        [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`)
      console.log(
        [
          `relay fuzz (seed ${seed}): ${tally.frames} frames over ${tally.connections} connections in ${fuzzMs} ms; ` +
            `${healthChecks} health checks, ${pairRounds} canary rounds during fuzzing` +
            (crashed ? `; ${crashed}` : ''),
          'server closes (endpoint, code, reason):',
          ...byCount(tally.closes),
          'frames by generator:',
          ...byCount(tally.generators),
        ].join('\n'),
      )

      expect(crashed, `seed ${seed}`).toBeNull()
      expect(pairFailures, `seed ${seed}: the pair kept syncing`).toEqual([])
      expect(healthFailures, `seed ${seed}`).toEqual([])
      expect(tally.bad, `seed ${seed}: closes without a proper code/reason`).toEqual([])
      expect(tally.frames, `seed ${seed}`).toBeGreaterThanOrEqual(TOTAL_FRAMES)
      expect(pairRounds, `seed ${seed}: the pair kept syncing`).toBeGreaterThan(0)
      expect(pairDrops, `seed ${seed}: the good pair was never disconnected`).toEqual([])

      // After the fuzzing: still healthy, still syncing, and the pair's copies converge.
      expect(await healthStatus(relay.port)).toBe(200)
      for (let i = 0; i < 3; i++) await pair.roundTrip()
      await pair.converged()
      // Clean shutdown after all that: flushes storage and exits 0.
      relay.child.kill('SIGTERM')
      expect(await relay.exited).toBe(0)
    } finally {
      pair.close()
      if (relay.child.exitCode === null) relay.child.kill('SIGKILL')
    }
  }, 120_000)
})
