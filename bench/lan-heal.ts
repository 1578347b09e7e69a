import { ENGINES, type EngineKind, type NoteDoc } from '../shared/engine/types'
import { docId } from '../shared/ids'
import { Rng } from '../shared/util/rng'
import { progress, type Benchmark } from './lib/benchmark'
import { median } from './lib/measure'
import { trafficBetween, inSync, until, type HealRig, type LinkTraffic } from './lib/heal-rig'
import { HostPair, netnsUnavailable } from './lib/host-pair'
import { LanPair } from './lib/lan-pair'
import { rawSyncBytes } from './lib/raw-sync'
import { lackedBytes } from './lib/replica-pair'
import { row, type Row } from './lib/results'

const NAME = 'lan-heal'
const NOTES = 100
/** Edits per side while apart, spread evenly over the notes; 0 = reconnect already in sync. */
const EDITS_PER_SIDE = [1_000, 100, 0] as const
/** Runs per case, fresh nodes each; rows show the median (the link-up time is jitter). */
const RUNS = 3
const WORDS = ['lattice', 'note', 'sync', 'heal', 'crdt', 'peer', 'merge', 'edit', 'a', 'the']
const DELETE_SHARE = 0.2

/** One commit per edit: a short word at a random place, or (a fifth of them) a delete. */
function edit(doc: NoteDoc, rng: Rng): void {
  const length = doc.text().length
  if (length > 0 && rng.chance(DELETE_SHARE)) {
    const pos = rng.int(length)
    doc.delete(pos, Math.min(1 + rng.int(4), length - pos))
  } else doc.insert(rng.int(length + 1), `${rng.pick(WORDS)} `)
}

interface HealResult {
  /** What each side lacked: the engine's own diffs, both ways, summed over the notes. */
  readonly lacked: number
  /** What the engine's own sync protocol exchanges for the same notes. */
  readonly rawSync: number
  readonly traffic: LinkTraffic
  /** From the heal: the link up again, and every note the same on both sides. */
  readonly linkUpMs: number
  readonly convergedMs: number
  /** From the link up again to every note the same. */
  readonly syncMs: number
}

async function healCase(rig: HealRig, engine: EngineKind, edits: number, seed: number) {
  const ids = Array.from({ length: NOTES }, (_, i) => docId(`lan-note-${i}`))
  const copies = await rig.seed(ids, engine)
  await rig.cut()
  const rng = new Rng(seed)
  for (let i = 0; i < edits; i++) {
    const [x, y] = copies[i % NOTES] as [NoteDoc, NoteDoc]
    edit(x, rng)
    edit(y, rng)
  }
  await rig.settle()
  const lacked = copies.reduce((sum, [x, y]) => sum + lackedBytes(x, y), 0)
  const rawSync = copies.reduce((sum, [x, y]) => sum + rawSyncBytes(x, y), 0)
  const before = await rig.quiet(0)

  const t0 = await rig.heal()
  // Already level, the notes are "converged" at once: wait for the link too, as a user would.
  const linked = () => !Number.isNaN(rig.linkedAt(t0))
  await until('the link, and every note to converge', () => linked() && inSync(copies), 120_000, 2)
  const convergedMs = performance.now() - t0
  const after = await rig.quiet()
  for (const [x, y] of copies)
    if (x.text() !== y.text()) throw new Error(`${x.id}: texts differ after the heal`)
  const linkUpMs = rig.linkedAt(t0) - t0
  return {
    lacked,
    rawSync,
    traffic: trafficBetween(before, after),
    linkUpMs,
    convergedMs,
    syncMs: convergedMs - linkUpMs,
  } satisfies HealResult
}

/** Each figure's median over the runs, on its own. */
function medianOf(runs: readonly HealResult[]): HealResult {
  const m = (f: (r: HealResult) => number) => median(runs.map(f))
  const ip = runs.every((r) => r.traffic.ip !== null)
    ? { bytes: m((r) => r.traffic.ip?.bytes ?? 0), packets: m((r) => r.traffic.ip?.packets ?? 0) }
    : null
  const frames = runs.every((r) => r.traffic.frames !== null)
    ? m((r) => r.traffic.frames ?? 0)
    : null
  return {
    lacked: m((r) => r.lacked),
    rawSync: m((r) => r.rawSync),
    traffic: { payload: m((r) => r.traffic.payload), frames, ip },
    linkUpMs: m((r) => r.linkUpMs),
    convergedMs: m((r) => r.convergedMs),
    syncMs: m((r) => r.syncMs),
  }
}

function caseRows(group: string, engine: EngineKind, edits: number, r: HealResult): Row[] {
  const lacked = { baseline: edits ? r.lacked : null }
  const { ip, frames } = r.traffic
  return [
    ...(ip ? [row(`${group} · bytes on the wire (IP, a↔b)`, ip.bytes, 'B', lacked)] : []),
    row(`${group} · LAN payload (WebSocket)`, r.traffic.payload, 'B', lacked),
    row(`${group} · LAN payload vs raw ${engine} sync`, r.traffic.payload, 'B', {
      baseline: r.rawSync,
    }),
    ...(ip ? [row(`${group} · IP packets`, ip.packets, 'packets')] : []),
    ...(frames !== null ? [row(`${group} · frames`, frames, 'frames')] : []),
    row(`${group} · link up after heal`, r.linkUpMs, 'ms'),
    row(`${group} · converged after heal`, r.convergedMs, 'ms'),
    row(`${group} · converged after link up`, r.syncMs, 'ms'),
  ]
}

const HOSTS_NOTES = [
  'Each host runs sync-server/cli.ts --lan with LevelDB storage; they find each other by mDNS.',
  'Each side is an editor client (a partial replica, as a window is) in the root namespace that',
  `dials its host's /lattice and holds all ${NOTES} notes. The cut is nft "reject with tcp reset" in a`,
  'for traffic to and from b; apart, each editor makes N edits (one commit each, a fifth deletes)',
  'spread over all notes, and a fresh client of each host confirms it holds them before the heal.',
  '"bytes on the wire": IP bytes (TCP/IP headers, handshakes, keepalives and acks included; not',
  'Ethernet framing) between a and b from the heal until the link was quiet for 500 ms, counted',
  "by an nft counter table in a (mDNS and the clients' traffic not counted); GSO is capped at",
  'one segment on the veths (gso_max_segs 1), so packets are MTU-sized, as a NIC sends them.',
  '"LAN payload": WebSocket payloads both ways as the listening node counts them (/metrics,',
  'endpoint="lan": sealed frames and the LAN handshake; the dialing side counts none).',
  '"link up after heal": from starting the nft delete (a few ms of `ip netns exec`) to both',
  'nodes logging "LAN peer connected" (pino timestamps, 1 ms): mostly the dialer\'s redial',
  'backoff (full jitter, up to 2 s on a LAN) after the resets it met during the cut.',
  '"converged after heal": until every note is the same in both editors, i.e. each host has the',
  "other's edits and has passed them to its editor; polled every 2 ms.",
]

const LOOPBACK_NOTES = [
  `Two LAN-mode nodes in one process, each with LevelDB storage, ${NOTES} notes held by both;`,
  'apart, each side makes N edits (one commit each, a fifth deletes) spread over all notes;',
  'then one node dials the other over a loopback WebSocket (no backoff: link up = dial +',
  'handshake). "LAN payload": WebSocket payloads both ways (LAN handshake, hello, digest,',
  'bucket, doc and ack frames); there is no wire here to count.',
]

export const lanHeal: Benchmark = {
  name: NAME,
  title: `LAN heal: two nodes, ${NOTES} notes, N edits on each side while apart, then healed`,
  async run() {
    const unavailable = await netnsUnavailable()
    const start: () => Promise<HealRig> = unavailable ? LanPair.start : HostPair.start
    if (unavailable)
      progress(NAME, `FALLBACK to one process over loopback: ${unavailable}; not two hosts`)
    const prefix = unavailable ? 'loopback fallback · ' : ''
    const rows: Row[] = []
    let setting = ''
    const linkUps: number[] = []
    for (const [e, engine] of ENGINES.entries()) {
      for (const [i, edits] of EDITS_PER_SIDE.entries()) {
        progress(NAME, `${engine}, ${edits} edits per side, ${RUNS} runs …`)
        const runs: HealResult[] = []
        for (let run = 0; run < RUNS; run++) {
          const rig = await start()
          setting = rig.setting
          runs.push(await healCase(rig, engine, edits, 100 * (e + 1) + i).finally(() => rig.stop()))
        }
        linkUps.push(...runs.map((r) => r.linkUpMs))
        const r = medianOf(runs)
        const group =
          prefix +
          (edits
            ? `${engine} · ${edits.toLocaleString('en-US')} edits per side`
            : `${engine} · already in sync`)
        rows.push(...caseRows(group, engine, edits, r))
      }
    }
    return {
      rows,
      notes: [
        unavailable
          ? `FALLBACK, NOT TWO HOSTS (${unavailable}): ${setting}.`
          : `Setting: ${setting}.`,
        ...(unavailable ? LOOPBACK_NOTES : HOSTS_NOTES),
        `Baseline of ${unavailable ? '' : '"bytes on the wire" and '}"LAN payload" = what each side lacked: the sum over`,
        'notes of a.encodeDiff(b.encodeVersion()) + b.encodeDiff(a.encodeVersion()).',
        "(Automerge's encodeDiff is saveSince, one chunk per change: the baseline overstates it.)",
        '"vs raw <engine> sync": baseline = what the engine\'s own sync protocol exchanges for the',
        'same notes on plain copies, note by note (y-protocols step 1 + 2 both ways; Automerge',
        'sync messages until quiet); the rest is the handshake and Lattice framing, digests and acks.',
        `Each row is the median of ${RUNS} runs, fresh nodes each (figures taken one by one).`,
        `"link up after heal" over all ${linkUps.length} runs: ${Math.min(...linkUps).toFixed(0)}–` +
          `${Math.max(...linkUps).toFixed(0)} ms; the sync itself is "converged after link up".`,
      ],
    }
  },
}
