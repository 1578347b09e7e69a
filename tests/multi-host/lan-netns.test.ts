import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatPairingCode, newSecret } from '../../sync-server/lan/pairing-code'
import { closedWithin, DialingClient, rawSocket, waitFor } from '../integration/helpers/relay-peers'
import { LanHost, NODE_PORT } from './helpers/lan-host'
import { NetLab, netnsUnavailable } from './helpers/netns'

/*
 * Four hosts as network namespaces on one bridge: a, b and c share a workspace; d holds another
 * workspace's secret and names a by address. Each runs the relay CLI in LAN mode with no peer
 * configured (d aside); a client in the root namespace edits through each node's /lattice.
 *
 *   1. a and c cannot reach each other (TCP reset): a line a–b–c, found by mDNS, converges.
 *   2. a is cut from b and c while all three edit; healed, they converge within seconds.
 *   3. d is refused, on both sides, and gets nothing.
 *
 * Needs root and Linux; elsewhere each test is skipped with the reason.
 */

const TOKEN = 'multi-host-token'
const NOTE = 'lan-note'
/** Promised by the issue: "converges within a few seconds" of a heal. */
const HEAL_BUDGET_MS = 10_000

let unavailable: string | null = 'not checked yet'
let lab: NetLab | null = null
const hosts = new Map<string, LanHost>()
const clients = new Map<string, DialingClient>()
const host = (name: string) => hosts.get(name) as LanHost
const client = (name: string) => clients.get(name) as DialingClient
const text = (name: string) => client(name).note.text()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  unavailable = await netnsUnavailable()
  if (unavailable !== null) {
    console.warn(`multi-host LAN tests skipped: ${unavailable}`)
    return
  }
  lab = await NetLab.create(['a', 'b', 'c', 'd'])
  await lab.cut('a', ['c'])
  const code = formatPairingCode(newSecret())
  const spawn = async (name: string, opts: Parameters<typeof LanHost.spawn>[2]) =>
    hosts.set(name, await LanHost.spawn(lab as NetLab, name, opts))
  // Settled, not raced: a host that started is in `hosts` for afterAll even if another failed.
  const started = await Promise.allSettled([
    ...['a', 'b', 'c'].map((name) => spawn(name, { code, token: TOKEN })),
    spawn('d', {
      code: formatPairingCode(newSecret()),
      peers: [`${lab.address('a')}:${NODE_PORT}`],
    }),
  ])
  for (const s of started) if (s.status === 'rejected') throw s.reason
  for (const name of ['a', 'b', 'c'])
    clients.set(name, new DialingClient(`client-${name}`, host(name).url, NOTE, TOKEN))
})

afterAll(async () => {
  for (const c of clients.values()) c.close()
  await Promise.all([...hosts.values()].map((h) => h.stop()))
  await lab?.destroy()
})

/** Types `count` tokens `<tag-i>` into `name`'s client, `gapMs` apart; returns them. */
async function typeTokens(name: string, tag: string, count: number, gapMs: number) {
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    tokens.push(`<${tag}-${i}>`)
    client(name).type(tokens[i] as string)
    await sleep(gapMs)
  }
  return tokens
}

async function convergence(names: readonly string[], tokens: readonly string[], ms: number) {
  await waitFor(
    `${names.join(', ')} to converge on ${tokens.length} tokens`,
    () =>
      names.every((n) => text(n) === text(names[0] as string)) &&
      tokens.every((t) => text(names[0] as string).includes(t)),
    ms,
  )
}

/** Polls an async check every 100 ms (healthz over HTTP) until it holds. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`)
    await sleep(100)
  }
}

async function lanPeers(name: string): Promise<string[]> {
  return ((await host(name).health()).lanPeers ?? []).sort()
}

describe('LAN mode across hosts (network namespaces)', () => {
  it('finds peers by mDNS alone, and a line a–b–c converges though a cannot reach c', async (ctx) => {
    if (unavailable !== null) return ctx.skip(unavailable)
    const ids = Object.fromEntries(
      await Promise.all(['a', 'b', 'c'].map(async (n) => [n, (await host(n).health()).node])),
    ) as Record<string, string>
    await eventually('b to link with a and c', async () => (await lanPeers('b')).length === 2)
    expect(await lanPeers('b')).toEqual([ids.a, ids.c].sort())
    expect(await lanPeers('a')).toEqual([ids.b])
    expect(await lanPeers('c')).toEqual([ids.b])
    // a and c see each other over multicast (in time: an answer to a query can come late); TCP
    // between them is reset.
    await eventually(
      'a to discover c over multicast',
      async () => host('a').logged('LAN peer discovered', { peer: ids.c }) !== undefined,
    )

    const tokens = ['<a>', '<b>', '<c>']
    for (const [i, name] of ['a', 'b', 'c'].entries()) client(name).type(tokens[i] as string)
    await convergence(['a', 'b', 'c'], tokens, 10_000)
    expect(host('a').logged('LAN peer connected', { peer: ids.c })).toBeUndefined()
    expect(host('c').logged('LAN peer connected', { peer: ids.a })).toBeUndefined()
  })

  it('converges within seconds after a partition heals, both sides having edited', async (ctx) => {
    if (unavailable !== null) return ctx.skip(unavailable)
    const net = lab as NetLab
    await net.heal('a')
    await eventually('a to link with b and c', async () => (await lanPeers('a')).length === 2)

    await net.cut('a', ['b', 'c'])
    const [mine, theirs, third] = await Promise.all([
      typeTokens('a', 'a2', 10, 150),
      typeTokens('b', 'b2', 10, 150),
      typeTokens('c', 'c2', 10, 150),
    ])
    await convergence(['b', 'c'], [...theirs, ...third], 10_000)
    // Reset, not stalled: a's links are gone, not hanging open.
    await eventually('a to drop its links', async () => (await lanPeers('a')).length === 0)
    expect(text('a'), 'a sees nothing of b across the cut').not.toContain('<b2-0>')
    expect(text('b'), 'b sees nothing of a across the cut').not.toContain('<a2-0>')

    await net.heal('a')
    const healed = Date.now()
    await convergence(['a', 'b', 'c'], [...mine, ...theirs, ...third], HEAL_BUDGET_MS)
    const healMs = Date.now() - healed
    console.log(`multi-host: converged ${healMs} ms after the partition healed`)
    expect(healMs).toBeLessThan(HEAL_BUDGET_MS)
    const final = text('a')
    for (const t of [...mine, ...theirs, ...third])
      expect(final.split(t).length - 1, `${t} exactly once`).toBe(1)
    await eventually('the mesh to form again', async () => (await lanPeers('a')).length === 2)
  })

  it('refuses a host holding another secret, on both sides, and gives it nothing', async (ctx) => {
    if (unavailable !== null) return ctx.skip(unavailable)
    const d = host('d')
    const a = host('a')
    await waitFor(
      'a and d to log the refusal',
      () =>
        Boolean(a.logged('LAN handshake refused', { code: 4403 })) &&
        Boolean(d.logged('LAN handshake refused', { code: 4403 })),
      15_000,
    )
    expect(a.logged('LAN handshake refused', { code: 4403 })?.reason).toBe('wrong workspace secret')
    expect(String(a.logged('LAN handshake refused')?.remote)).toContain(d.address)
    expect(d.logged('stopped dialing a LAN peer: retrying cannot help')).toBeDefined()
    const health = await d.health()
    expect(health.lanPeers).toEqual([])
    expect(health.documentsStored).toBe(0)
    // Without a token, LAN mode serves /lattice to its own machine only.
    const socket = rawSocket(`${d.url}/lattice`)
    expect((await closedWithin(socket, 5_000))?.code).toBe(4401)
  })
})
