import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createNote } from '../../shared/engine/create'
import { docId, replicaId } from '../../shared/ids'
import { Rng } from '../../shared/util/rng'
import { loadNote } from '../../sync-server/storage/doc-persistence'
import { LevelDocStore } from '../../sync-server/storage/level-store'
import { LatticeChaosClient, StockChaosClient, type ChaosClient } from './helpers/chaos-clients'
import { LatticeClient } from './helpers/lattice-client'
import { killHard, spawnRelay, type RelayProcess } from './helpers/relay-process'

/*
 * Chaos against a real relay process: 10 stock y-websocket clients and 10 Lattice clients type
 * unique tokens into one Yjs note while single connections are dropped or held offline and the
 * relay is killed with SIGKILL and restarted on the same port and data folder, 3–5 times. At
 * each kill, the store must hold every edit a Lattice client had an ACK for. Afterwards every
 * client, the relay, and its store after one more kill -9 hold the same text, with every token
 * typed exactly once.
 *
 * LATTICE_CHAOS_SEED replays the same plan (kills, downtimes, edits, cuts); the interleaving
 * with the network still varies from run to run.
 */

const NOTE = 'chaos-note'
const STOCK_CLIENTS = 10
const LATTICE_CLIENTS = 10
/** How long clients edit while connections are cut and the relay is killed. */
const CHAOS_MS = 16_000
const TICK_MS = 25
/** Per client and tick: the chance it types a token. */
const P_EDIT = 0.15
/** Per tick: the chance one client's connection is cut (dropped, or held offline a while). */
const P_CUT = 0.08
const CONVERGE_TIMEOUT_MS = 45_000
const TOKEN = /\[c\d{2}-\d+\]/g

const seedText = process.env.LATTICE_CHAOS_SEED
const seed = seedText === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(seedText)
if (!Number.isSafeInteger(seed)) throw new Error(`LATTICE_CHAOS_SEED must be an integer`)

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * A free port below the kernel's ephemeral range. The relay restarts on the same port, so while
 * it is down no client socket (nor a port-0 relay of a concurrent test) may take that port.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  let low = 32_768
  try {
    low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).split(/\s+/)[0])
  } catch {
    // not Linux: keep the IANA default
  }
  for (let attempt = 0; ; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (Math.max(low, 12_000) - 10_000))
    const free = await new Promise<boolean>((ok) => {
      const probe = createServer()
      probe.once('error', () => ok(false))
      probe.listen(port, '127.0.0.1', () => probe.close(() => ok(true)))
    })
    if (free) return port
    if (attempt > 50) throw new Error('no free port below the ephemeral range')
  }
}

/** Starts the relay on `port`, retrying a few times if the port is briefly taken. */
async function relayOn(port: number, dir: string): Promise<RelayProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnRelay(['--port', String(port), '--data', dir])
    } catch (err) {
      if (attempt >= 5 || !/EADDRINUSE/.test((err as Error).message)) throw err
      await sleep(200)
    }
  }
}

/** What the relay's store holds for the note, read straight from disk while no relay runs. */
async function storedText(dir: string): Promise<string | null> {
  const store = await LevelDocStore.open(dir)
  try {
    const note = await loadNote(store, docId(NOTE), (id, engine) =>
      createNote(engine, { id, replica: replicaId('disk-reader') }),
    )
    const text = note?.text() ?? null
    note?.destroy()
    return text
  } finally {
    await store.close()
  }
}

/** Polls every 50 ms until `check` holds; on timeout fails with `what` and `explain()`. */
async function settle(what: string, check: () => boolean, explain: () => string, ms: number) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`seed ${seed}: timed out after ${ms} ms: ${what}\n${explain()}`)
    await sleep(50)
  }
}

describe('the relay under chaos', () => {
  it(
    `converges ${STOCK_CLIENTS} stock and ${LATTICE_CLIENTS} Lattice clients, losing no edit, through cut connections and kill -9 restarts (seed ${seed})`,
    { timeout: 120_000 },
    async () => {
      const rng = new Rng(seed)
      const dir = await mkdtemp(join(tmpdir(), 'lattice-chaos-'))
      dirs.push(dir)
      const port = await portOutsideEphemeralRange()
      let relay = await relayOn(port, dir)
      const { url } = relay
      const restart = () => relayOn(port, dir)
      const clients: ChaosClient[] = []
      const lattice: LatticeChaosClient[] = []
      const extras: Array<{ destroy(): void }> = []
      const problems: string[] = []
      const stats = { cuts: 0, offline: 0, kills: 0, ackedAtKills: [] as number[] }
      const started = Date.now()
      let relayChaos: Promise<void> = Promise.resolve()
      let stopping = false
      // Each y-websocket provider adds a process 'exit' listener: 12 of them are no leak.
      const maxListeners = process.getMaxListeners()
      process.setMaxListeners(maxListeners + STOCK_CLIENTS + 2)
      try {
        for (let i = 0; i < STOCK_CLIENTS + LATTICE_CLIENTS; i++) {
          const name = `c${String(i).padStart(2, '0')}`
          if (i < STOCK_CLIENTS) clients.push(new StockChaosClient(name, url, NOTE))
          else {
            const fork = rng.fork()
            const c = new LatticeChaosClient(name, url, NOTE, () => fork.next())
            clients.push(c)
            lattice.push(c)
          }
        }

        // The relay's fate, decided up front: 3–5 kill -9s, one in each slice of the chaos.
        const kills = 3 + rng.int(3)
        const slice = CHAOS_MS / kills
        const killAt = Array.from(
          { length: kills },
          (_, i) => started + i * slice + 300 + rng.int(Math.max(1, slice - 2_300)),
        )
        const downFor = killAt.map(() => rng.int(800))
        // A slow restart (a loaded machine) must not leave the next kill no time to matter.
        const upAtLeast = killAt.map(() => 500 + rng.int(1_000))
        let restartedAt = started
        relayChaos = (async () => {
          for (let k = 0; k < kills && !stopping; k++) {
            const at = Math.max(killAt[k] as number, restartedAt + (upAtLeast[k] as number))
            await sleep(Math.max(0, at - Date.now()))
            if (relay.child.exitCode !== null || relay.child.signalCode !== null)
              problems.push(`before kill ${k + 1}: the relay had exited on its own`)
            await killHard(relay)
            stats.kills++
            // Every ACK a client has received was sent by the relay just killed, after the
            // edits it covers were on disk: they must all be in the store now.
            const mustHave = lattice.flatMap((c) => c.acknowledged().map((t) => [c.name, t]))
            stats.ackedAtKills.push(mustHave.length)
            const stored = (await storedText(dir)) ?? ''
            for (const [name, token] of mustHave)
              if (!stored.includes(token as string))
                problems.push(`kill ${k + 1}: ${name}'s acknowledged ${token} is not on disk`)
            // Whatever else it holds is whole: tokens only, none twice.
            const onDisk = stored.match(TOKEN) ?? []
            if (onDisk.join('') !== stored || new Set(onDisk).size !== onDisk.length)
              problems.push(`kill ${k + 1}: the store holds broken or repeated tokens`)
            await sleep(downFor[k] as number)
            relay = await restart()
            restartedAt = Date.now()
          }
        })()

        // Everybody edits; now and then one client's connection is cut.
        const offlineUntil = new Map<ChaosClient, number>()
        let relayDone = false
        void relayChaos.finally(() => (relayDone = true)).catch(() => {})
        while (Date.now() < started + CHAOS_MS || !relayDone) {
          for (const c of clients)
            if (rng.chance(P_EDIT)) c.type(`[${c.name}-${c.typed.length}]`, rng.next())
          if (rng.chance(P_CUT)) {
            const c = rng.pick(clients)
            if (c.online && rng.chance(0.5)) {
              c.cut()
              stats.cuts++
            } else if (c.online) {
              c.goOffline()
              stats.offline++
              offlineUntil.set(c, Date.now() + 100 + rng.int(2_000))
            }
          }
          for (const [c, until] of offlineUntil)
            if (Date.now() >= until) {
              c.goOnline()
              offlineUntil.delete(c)
            }
          await sleep(TICK_MS)
        }
        await relayChaos
        for (const c of offlineUntil.keys()) c.goOnline()
        const chaosEnded = Date.now()

        // Heal: every client reconnects by itself; wait until all hold every token.
        const typed = clients.flatMap((c) => c.typed)
        const expectedLength = typed.reduce((n, t) => n + t.length, 0)
        await settle(
          `all ${clients.length} clients to hold all ${typed.length} tokens`,
          () => {
            if (!clients.every((c) => c.length() === expectedLength)) return false
            const text = clients[0]?.text()
            return clients.every((c) => c.text() === text)
          },
          () => {
            const lines = clients.map((c) => {
              const has = new Set(c.text().match(TOKEN))
              const missing = typed.filter((t) => !has.has(t))
              return `  ${c.name} (${c.kind}${c.online ? '' : ', offline'}): length ${c.length()}/${expectedLength}, missing ${missing.length}${missing.length ? ` e.g. ${missing.slice(0, 5).join(' ')}` : ''}`
            })
            return lines.join('\n')
          },
          CONVERGE_TIMEOUT_MS,
        )
        const converged = Date.now()
        const final = clients[0]?.text() ?? ''
        for (const c of clients)
          expect(c.text() === final, `seed ${seed}: ${c.name} differs from c00`).toBe(true)

        // Every token typed appears exactly once, and the text is nothing but tokens.
        const found = final.match(TOKEN) ?? []
        expect(found.join('') === final, `seed ${seed}: text holds more than tokens`).toBe(true)
        const counts = new Map<string, number>()
        for (const t of found) counts.set(t, (counts.get(t) ?? 0) + 1)
        const wrong = typed.filter((t) => counts.get(t) !== 1)
        expect(wrong, `seed ${seed}: tokens lost or duplicated`).toEqual([])
        expect(found.length, `seed ${seed}: tokens nobody typed`).toBe(typed.length)
        const acked = lattice.flatMap((c) => c.acknowledged())
        expect(
          acked.filter((t) => counts.get(t) !== 1),
          `seed ${seed}: acknowledged tokens lost`,
        ).toEqual([])
        expect(problems, `seed ${seed}: acknowledged edits missing from disk at a kill`).toEqual([])

        // The relay holds the same: a fresh client's first sync waits for the relay's disk.
        const witness = new StockChaosClient('witness', url, NOTE)
        extras.push(witness)
        await settle(
          'a fresh stock client to sync',
          () => witness.provider.synced,
          () => '',
          20_000,
        )
        expect(
          witness.text() === final,
          `seed ${seed}: the relay serves other text (${witness.length()} vs ${final.length} chars)`,
        ).toBe(true)

        // ... and it is on disk: kill -9 once more, read the store, restart, read it through
        // both endpoints with no other client connected.
        for (const c of [...clients, witness]) c.destroy()
        extras.length = 0
        await killHard(relay)
        const stored = await storedText(dir)
        expect(
          stored === final,
          `seed ${seed}: the store holds other text (${stored?.length} vs ${final.length} chars)`,
        ).toBe(true)
        relay = await restart()
        const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
          unreadableDocuments: string[]
        }
        expect(health.unreadableDocuments, `seed ${seed}`).toEqual([])
        const reader = new LatticeClient('final-reader')
        extras.push({ destroy: () => reader.disconnect() })
        const copy = reader.open(NOTE, 'yjs')
        const ack = reader.nextAck(NOTE)
        await reader.connect(url)
        await ack
        expect(
          copy.text() === final,
          `seed ${seed}: a Lattice reader after the restart got ${copy.text().length} of ${final.length} chars`,
        ).toBe(true)
        const stockReader = new StockChaosClient('stock-reader', url, NOTE)
        extras.push(stockReader)
        await settle(
          'a stock reader to sync after the restart',
          () => stockReader.provider.synced,
          () => '',
          20_000,
        )
        expect(
          stockReader.text() === final,
          `seed ${seed}: a stock reader after the restart got ${stockReader.length()} of ${final.length} chars`,
        ).toBe(true)

        const byKind = (kind: ChaosClient['kind']) =>
          clients.filter((c) => c.kind === kind).reduce((n, c) => n + c.typed.length, 0)
        console.log(
          `chaos (seed ${seed}): ${typed.length} tokens (${byKind('stock')} stock, ${byKind('lattice')} Lattice; ${acked.length} acknowledged), ` +
            `${stats.cuts} dropped sockets, ${stats.offline} offline spells, ${stats.kills} kill -9s ` +
            `(acknowledged tokens checked on disk: ${stats.ackedAtKills.join(', ')}); ` +
            `chaos ${chaosEnded - started} ms, converged ${converged - chaosEnded} ms later, total ${Date.now() - started} ms`,
        )
      } finally {
        stopping = true
        await relayChaos.catch(() => {})
        for (const c of [...clients, ...extras]) c.destroy()
        relay.child.kill('SIGKILL')
        await relay.exited
        process.setMaxListeners(maxListeners)
      }
    },
  )
})
