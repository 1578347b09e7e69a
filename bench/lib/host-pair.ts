import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import { replicaId, type DocId } from '../../shared/ids'
import { Replica } from '../../shared/sync/replica'
import { formatPairingCode, newSecret } from '../../sync-server/lan/pairing-code'
import { DialerLink } from '../../sync-server/net/dialer'
import { LanHost, NODE_PORT } from '../../tests/multi-host/helpers/lan-host'
import { NetLab } from '../../tests/multi-host/helpers/netns'
import { inSync, sleep, until, type HealRig, type LinkTraffic } from './heal-rig'

export { netnsUnavailable } from '../../tests/multi-host/helpers/netns'

const TOKEN = 'lattice-bench-token'
/** nft table in host a that counts TCP between a and b (the cut's own table is another). */
const COUNT_TABLE = 'lattice_bench'

const exec = promisify(execFile)

type IpCount = NonNullable<LinkTraffic['ip']>

/** A window-like client in the root namespace: a partial replica dialing one node's /lattice. */
class NodeClient {
  readonly replica: Replica
  private readonly link: DialerLink

  constructor(name: string, host: LanHost) {
    this.replica = new Replica({ id: replicaId(name), mode: 'partial' })
    this.link = new DialerLink({ url: `${host.url}/lattice`, token: TOKEN })
    this.replica.attach(this.link)
  }

  close(): void {
    this.link.close()
    this.replica.destroy()
  }
}

/**
 * Two hosts as network namespaces on a bridge (tests/multi-host/helpers), each running the relay
 * CLI in LAN mode with one workspace code; they find each other by mDNS. Each side's copy of a
 * note is an editor client's, in this process, dialing its host's /lattice. The cut is the
 * multi-host tests' (TCP reset, in a); an nft table in a counts TCP between a and b. Both
 * hosts' eth0 allow one segment per GSO packet (gso_max_segs 1), so TCP hands the veth
 * MTU-sized packets, as a NIC puts them on the wire, and packets and header bytes count as there.
 */
export class HostPair implements HealRig {
  readonly setting: string
  private readonly clients: NodeClient[] = []
  private copies: [NoteDoc, NoteDoc][] = []

  private constructor(
    private readonly lab: NetLab,
    private readonly a: LanHost,
    private readonly b: LanHost,
    private readonly teardown: () => Promise<void>,
  ) {
    this.setting =
      `two hosts, network namespaces ${lab.ns('a')} (${a.address}) and ${lab.ns('b')} ` +
      `(${b.address}) on a veth bridge, each running the relay CLI in LAN mode as its own process`
  }

  static async start(): Promise<HostPair> {
    const lab = await NetLab.create(['a', 'b'])
    const hosts: LanHost[] = []
    const onSignal = (signal: NodeJS.Signals) => {
      void teardown().finally(() => process.kill(process.pid, signal))
    }
    // Namespaces and their nft tables outlive this process unless deleted: on failure and on
    // Ctrl-C too.
    const teardown = async () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await Promise.allSettled(hosts.map((h) => h.stop()))
      await lab.destroy()
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      for (const host of lab.hosts)
        await exec('ip', ['-n', lab.ns(host), 'link', 'set', 'dev', 'eth0', 'gso_max_segs', '1'])
      await inside(lab, 'a', ['nft', countingTable(lab.address('b'))])
      const code = formatPairingCode(newSecret())
      const started = await Promise.allSettled(
        lab.hosts.map((name) => LanHost.spawn(lab, name, { code, token: TOKEN })),
      )
      for (const s of started) if (s.status === 'fulfilled') hosts.push(s.value)
      for (const s of started) if (s.status === 'rejected') throw s.reason
    } catch (err) {
      await teardown()
      throw err
    }
    return new HostPair(lab, hosts[0] as LanHost, hosts[1] as LanHost, teardown)
  }

  private client(name: string, host: LanHost): NodeClient {
    const c = new NodeClient(name, host)
    this.clients.push(c)
    return c
  }

  async seed(ids: readonly DocId[], engine: EngineKind): Promise<[NoteDoc, NoteDoc][]> {
    const [ea, eb] = [this.client('editor-a', this.a), this.client('editor-b', this.b)]
    this.copies = ids.map((id) => {
      const x = ea.replica.open(id, engine)
      x.insert(0, `Note ${id}, held by both nodes. `)
      return [x, eb.replica.open(id, engine)]
    })
    await until('both hosts to hold every note', () => inSync(this.copies), 60_000, 5)
    return this.copies
  }

  async cut(): Promise<void> {
    await this.lab.cut('a', ['b'])
  }

  async settle(): Promise<void> {
    const hosts = [this.a, this.b]
    await Promise.all(
      hosts.map((host, side) =>
        this.confirm(
          host,
          this.copies.map((pair) => pair[side] as NoteDoc),
        ),
      ),
    )
    // A node sees the reset when it next sends: an edit, or its keepalive ping within 5 s.
    await until(
      'both hosts to drop the LAN link',
      async () => (await this.lanPeers(this.a)) === 0 && (await this.lanPeers(this.b)) === 0,
      30_000,
      50,
    )
  }

  /** A fresh client of `host` sees every note as `copies` has it: the node holds it all. */
  private async confirm(host: LanHost, copies: readonly NoteDoc[]): Promise<void> {
    const probe = new NodeClient(`probe-${host.name}`, host)
    try {
      const seen = copies.map((c) => probe.replica.open(c.id, c.engine))
      await until(
        `${host.name} to hold its side's edits`,
        () => seen.every((s, i) => s.digest() === copies[i]?.digest()),
        60_000,
        5,
      )
    } finally {
      probe.close()
    }
  }

  private async lanPeers(host: LanHost): Promise<number> {
    return ((await host.health()).lanPeers ?? []).length
  }

  /** The moment the nft delete starts: a redial could win the race with its return. */
  async heal(): Promise<number> {
    const at = performance.now()
    await this.lab.heal('a')
    return at
  }

  /** Both nodes' "LAN peer connected" log lines (pino stamps them, same clock as ours). */
  linkedAt(since: number): number {
    const after = Math.floor(performance.timeOrigin + since)
    const times = [this.a, this.b].map((h) => {
      const line = h.logs.find(
        (l) => l.msg === 'LAN peer connected' && typeof l.time === 'number' && l.time >= after,
      )
      return typeof line?.time === 'number' ? line.time : NaN
    })
    return Math.max(...times) - performance.timeOrigin
  }

  async quiet(quietMs = 500): Promise<LinkTraffic> {
    let last = await this.ipCount()
    let since = performance.now()
    while (performance.now() - since < quietMs) {
      await sleep(50)
      const now = await this.ipCount()
      if (now.bytes !== last.bytes) [last, since] = [now, performance.now()]
    }
    const payload = (await Promise.all([this.a, this.b].map(lanPayload))).reduce((s, n) => s + n)
    return { payload, frames: null, ip: last }
  }

  private async ipCount(): Promise<IpCount> {
    const out = await inside(this.lab, 'a', [
      'nft',
      '-j',
      'list',
      'counters',
      'table',
      'inet',
      COUNT_TABLE,
    ])
    const entries = (JSON.parse(out) as { nftables: { counter?: IpCount }[] }).nftables
    const count = { bytes: 0, packets: 0 }
    for (const { counter } of entries) {
      count.bytes += counter?.bytes ?? 0
      count.packets += counter?.packets ?? 0
    }
    return count
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close()
    await this.teardown()
  }
}

async function inside(lab: NetLab, host: string, argv: readonly string[]): Promise<string> {
  const [file, ...args] = lab.exec(host, argv) as [string, ...string[]]
  return (await exec(file, args)).stdout
}

/** Counts TCP between this host and `peer`, both ways, before the cut's table sees it. */
function countingTable(peer: string): string {
  return `table inet ${COUNT_TABLE} {
    counter from_peer { } ; counter to_peer { } ;
    chain in { type filter hook input priority -10; ip saddr ${peer} ip protocol tcp counter name "from_peer"; } ;
    chain out { type filter hook output priority -10; ip daddr ${peer} ip protocol tcp counter name "to_peer"; } ;
  }`
}

/** LAN payload bytes a node counted both ways, on the links it accepted (a dialer counts none). */
async function lanPayload(host: LanHost): Promise<number> {
  const res = await fetch(`http://${host.address}:${NODE_PORT}/metrics`)
  const text = await res.text()
  let total = 0
  for (const m of text.matchAll(/^lattice_bytes_(?:in|out)_total\{endpoint="lan"\} (\d+)$/gm))
    total += Number(m[1])
  return total
}
