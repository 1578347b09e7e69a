import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DocId } from '../../shared/ids'
import type { CloseInfo } from '../../shared/sync/link'
import { encodeFrame } from '../../shared/wire/frames'
import { PROTOCOL_VERSION } from '../../shared/wire/protocol'
import { DialerLink } from '../../sync-server/net/dialer'
import { startServer, type RunningServer } from '../../sync-server/net/server'
import { LatticeNode } from '../../sync-server/node/lattice-node'
import { silentLogger } from '../../sync-server/ops/logger'
import { startRelay, type Relay } from '../../sync-server/relay'
import { MemoryDocStore } from '../../sync-server/storage/memory-store'
import {
  closedWithin,
  DialingClient,
  healthStatus,
  rawSocket,
  SyncedPair,
  waitFor,
} from './helpers/relay-peers'

const TOKEN = 'correct-horse-battery'
const LIMITS = {
  maxFrameBytes: 64 * 1024,
  framesPerSecond: 50,
  burstFrames: 100,
  idleTimeoutMs: 600,
}
const HELLO = encodeFrame({
  type: 'hello',
  version: PROTOCOL_VERSION,
  peer: 'raw-client',
  mode: 'partial',
})

const dirs: string[] = []
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-security-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const endpoints = [
  { name: '/lattice', path: '/lattice' },
  { name: '/<room>', path: '/some-room' },
]

/** The relay still serves: health is 200 and the canary pair's edits cross it both ways. */
async function expectHealthy(port: number, pair: SyncedPair): Promise<void> {
  expect(await healthStatus(port)).toBe(200)
  await pair.roundTrip()
}

function expectClosedWith(close: CloseInfo | null, code: number, reason?: RegExp): void {
  expect(close, `expected close ${code}, the socket stayed open`).not.toBeNull()
  expect(close?.code).toBe(code)
  if (reason) expect(close?.reason).toMatch(reason)
}

/** Frames parsed and 4429 closes so far, from the server's metrics. */
async function counters(server: RunningServer): Promise<{ frames: number; rateLimited: number }> {
  const frames = (await server.metrics.updates.get()).values
  const closes = (await server.metrics.closes.get()).values
  return {
    frames: frames.reduce((sum, v) => sum + v.value, 0),
    rateLimited: closes.find((v) => v.labels.code === '4429')?.value ?? 0,
  }
}

/** A client frame (masked, as RFC 6455 requires) built by hand, for a client `ws` won't be. */
function maskedBinaryFrame(payload: Uint8Array): Buffer {
  if (payload.length > 125) throw new Error('short frames only')
  const mask = randomBytes(4)
  const out = Buffer.alloc(6 + payload.length)
  out[0] = 0x82 // FIN + binary
  out[1] = 0x80 | payload.length
  mask.copy(out, 2)
  payload.forEach((b, i) => (out[6 + i] = b ^ (mask[i % 4] as number)))
  return out
}

/** A WebSocket client over raw TCP that never answers anything, the server's close included. */
async function rawTcpWebSocket(port: number, path: string) {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  const started = Date.now()
  const state = { socket, sawCloseFrame: false, ended: new Promise<number>(() => {}) }
  let upgraded = false
  await new Promise<void>((ok) =>
    socket.on('data', (d: Buffer) => {
      if (!upgraded && d.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true
        ok()
      }
      if (d.includes(0x88)) state.sawCloseFrame = true // an opcode-8 (close) frame header
    }),
  )
  state.ended = new Promise<number>((ok) => socket.on('close', () => ok(Date.now() - started)))
  return state
}

describe('a relay with a token', () => {
  let relay: Relay
  let url: string
  let port: number
  let pair: SyncedPair

  beforeAll(async () => {
    relay = await startRelay({
      host: '127.0.0.1',
      port: 0,
      data: await tempDir(),
      token: TOKEN,
      logLevel: 'silent',
    })
    url = relay.server.url
    port = relay.server.port
    pair = new SyncedPair(url, 'canary-note', TOKEN)
    await pair.roundTrip()
  })
  afterAll(async () => {
    pair.close()
    await relay.stop()
  })

  for (const { name, path } of endpoints) {
    it(`closes ${name} with 4401 and a reason when the token is missing`, async () => {
      const close = await closedWithin(rawSocket(`${url}${path}`), 5_000)
      expectClosedWith(close, 4401, /unauthorized/)
      await expectHealthy(port, pair)
    })

    it(`closes ${name} with 4401 when the token is wrong (query, bearer or a prefix of it)`, async () => {
      const offers = [
        rawSocket(`${url}${path}?token=wrong-token-value`),
        rawSocket(`${url}${path}`, { headers: { authorization: 'Bearer wrong-token-value' } }),
        rawSocket(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } }),
        rawSocket(`${url}${path}`, { headers: { authorization: TOKEN } }), // no "Bearer "
      ]
      for (const s of offers) expectClosedWith(await closedWithin(s, 5_000), 4401, /token/)
      await expectHealthy(port, pair)
    })

    it(`accepts the token on ${name} both as ?token= and as Authorization: Bearer`, async () => {
      const offers = [
        rawSocket(`${url}${path}?token=${encodeURIComponent(TOKEN)}`),
        rawSocket(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
      ]
      for (const s of offers) {
        expect(await s.opened).toBe(true)
        if (path === '/lattice') {
          s.ws.send(HELLO)
          await waitFor('the relay to answer hello', () => s.received.length > 0)
        }
        // Whatever the endpoint then does, it is not an auth failure.
        const close = await closedWithin(s, 300)
        expect(close?.code).not.toBe(4401)
        s.ws.close()
      }
      await expectHealthy(port, pair)
    })
  }

  it('makes a DialerLink without a token give up on 4401 instead of retrying', async () => {
    const link = new DialerLink({ url: `${url}/lattice` })
    const gaveUp = await new Promise<CloseInfo>((ok) => link.onGiveUp(ok))
    expect(gaveUp.code).toBe(4401)
    expect(gaveUp.reason).toMatch(/unauthorized/)
    expect(link.status).toBe('closed')
    expect(link.retryDelayMs).toBeNull()
    await expectHealthy(port, pair)
  })
})

describe('a node with small limits', () => {
  let server: RunningServer
  let node: LatticeNode
  let url: string
  let pair: SyncedPair
  const withToken = (path: string) => `${url}${path}?token=${TOKEN}`

  beforeAll(async () => {
    const store = new MemoryDocStore()
    node = await LatticeNode.open({ store })
    server = await startServer(node, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      limits: LIMITS,
      store,
      log: silentLogger,
    })
    url = server.url
    pair = new SyncedPair(url, 'canary-note', TOKEN)
    await pair.roundTrip()
  })
  afterAll(async () => {
    pair.close()
    await server.close()
    await node.close()
  })

  for (const { name, path } of endpoints) {
    it(`closes ${name} with 1009 on a frame over maxFrameBytes`, async () => {
      const s = rawSocket(withToken(path))
      expect(await s.opened).toBe(true)
      s.ws.send(new Uint8Array(LIMITS.maxFrameBytes + 1))
      expectClosedWith(await closedWithin(s, 5_000), 1009)
      await expectHealthy(server.port, pair)
    })
  }

  it('accepts a frame of exactly maxFrameBytes (the limit is not off by one)', async () => {
    const s = rawSocket(withToken('/lattice'))
    expect(await s.opened).toBe(true)
    s.ws.send(new Uint8Array(LIMITS.maxFrameBytes))
    // Not a Lattice frame, so the session rejects it; but as malformed (4400), not oversized.
    expectClosedWith(await closedWithin(s, 5_000), 4400, /hello/)
    await expectHealthy(server.port, pair)
  })

  it('closes with a reason cut to 123 bytes when the error quotes multi-byte input', async () => {
    const s = rawSocket(withToken('/lattice'))
    expect(await s.opened).toBe(true)
    s.ws.send(HELLO)
    // A document id of 40 three-byte characters: quoted in the reason, it would be ~140 bytes,
    // more than a close frame holds (the ws library throws, which used to crash the node).
    const frame = encodeFrame({
      type: 'doc',
      doc: '€'.repeat(40) as DocId,
      engine: 'yjs',
      payload: new Uint8Array(1),
    })
    s.ws.send(frame)
    const close = await closedWithin(s, 5_000)
    expectClosedWith(close, 4422, /invalid document id/)
    expect(Buffer.byteLength(close?.reason ?? '')).toBeLessThanOrEqual(123)
    await expectHealthy(server.port, pair)
  })

  const badNames = [
    { what: 'a path traversal', path: '/..%2F..%2Fetc' },
    { what: 'a 300-character name', path: `/${'r'.repeat(300)}` },
    { what: 'a name with a space', path: '/a b' },
    { what: 'a broken percent-escape', path: '/room%E0%A4%A' },
    { what: 'a nested path', path: '/room/sub' },
  ]
  for (const { what, path } of badNames) {
    it(`closes /<room> with 4422 and a reason for ${what}`, async () => {
      const close = await closedWithin(rawSocket(withToken(path)), 5_000)
      expectClosedWith(close, 4422, /bad room name/)
      await expectHealthy(server.port, pair)
    })
  }

  /** Per endpoint, a frame that is harmless however often it comes: only limits can object. */
  const harmless = [
    { name: '/lattice', path: '/lattice', frame: HELLO, first: HELLO }, // a repeated identical hello
    { name: '/<room>', path: '/flood-room', frame: Uint8Array.of(3), first: null }, // query awareness
  ]
  for (const { name, path, frame, first } of harmless) {
    it(`closes ${name} with 4429 when a client floods faster than the rate limit`, async () => {
      const s = rawSocket(withToken(path))
      expect(await s.opened).toBe(true)
      if (first) s.ws.send(first)
      for (let i = 0; i < LIMITS.burstFrames * 3; i++) s.ws.send(frame)
      expectClosedWith(await closedWithin(s, 5_000), 4429, /rate limit/)
      await expectHealthy(server.port, pair)
    })

    it(`lets a client on ${name} sending within the rate limit stay`, async () => {
      const s = rawSocket(withToken(path))
      expect(await s.opened).toBe(true)
      for (let i = 0; i < LIMITS.burstFrames / 2; i++) s.ws.send(frame)
      expect(await closedWithin(s, 500)).toBeNull()
      s.ws.close()
    })

    it(`drops an idle client on ${name} that does not answer pings with 4408, keeps one that does`, async () => {
      const silent = rawSocket(withToken(path), { autoPong: false })
      const polite = rawSocket(withToken(path))
      expect(await silent.opened).toBe(true)
      expect(await polite.opened).toBe(true)
      const started = Date.now()
      const close = await closedWithin(silent, LIMITS.idleTimeoutMs * 5)
      expectClosedWith(close, 4408, /idle/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(LIMITS.idleTimeoutMs / 2)
      expect(await closedWithin(polite, LIMITS.idleTimeoutMs * 2)).toBeNull()
      polite.ws.close()
      await expectHealthy(server.port, pair)
    })
  }

  it('stops reading a flooder that ignores the close frame, and drops it within seconds', async () => {
    const before = await counters(server)
    const flooder = await rawTcpWebSocket(server.port, `/lattice?token=${TOKEN}`)
    const frame = maskedBinaryFrame(HELLO)
    const burst = Buffer.concat(Array.from({ length: 200 }, () => frame))
    const pump = setInterval(() => flooder.socket.destroyed || flooder.socket.write(burst), 5)
    const closedAt = await flooder.ended
    clearInterval(pump)
    const after = await counters(server)
    expect(closedAt).toBeLessThan(5_000)
    expect(flooder.sawCloseFrame).toBe(true)
    // It could push tens of thousands of frames in that time; a bounded few were parsed.
    expect(after.frames - before.frames).toBeLessThan(10_000)
    expect(after.rateLimited - before.rateLimited).toBe(1)
    await expectHealthy(server.port, pair)
  })
})

describe('a relay restart', () => {
  it('is survived by dialers on their own: both clients reconnect and converge, no edit lost', async () => {
    const data = await tempDir()
    const config = { host: '127.0.0.1', port: 0, data, token: TOKEN, logLevel: 'silent' }
    let relay = await startRelay(config)
    const { port, url } = relay.server
    const pair = new SyncedPair(url, 'restart-note', TOKEN)
    try {
      for (let i = 0; i < 3; i++) await pair.roundTrip()
      await relay.stop()
      await waitFor('both dialers to notice', () =>
        [pair.a.link, pair.b.link].every((l) => l.status === 'waiting'),
      )
      // Offline edits on both sides while the relay is down.
      pair.a.type('<offline-a>')
      pair.b.type('<offline-b>')
      await new Promise((r) => setTimeout(r, 300))
      relay = await startRelay({ ...config, port })
      expect(relay.node.storedCount, 'the new relay reopened the same data folder').toBe(1)
      await waitFor(
        'both dialers to reconnect',
        () => pair.a.link.isOpen && pair.b.link.isOpen,
        20_000,
      )
      await pair.roundTrip()
      const text = await pair.converged()
      expect(text).toContain('<offline-a>')
      expect(text).toContain('<offline-b>')
      // A client that never saw the note before gets all of it from the new relay.
      const reader = new DialingClient('reader', url, 'restart-note', TOKEN)
      await waitFor('a fresh reader to catch up', () => reader.note.text() === text)
      reader.close()
    } finally {
      pair.close()
      await relay.stop()
    }
  })
})
