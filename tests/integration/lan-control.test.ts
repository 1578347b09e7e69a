import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LanControl } from '../../sync-server/node/lan-control'
import type { Sealer } from '../../sync-server/node/sealed-file'
import { startRelay, type Relay } from '../../sync-server/relay'

const sealer: Sealer = {
  label: 'test-keychain',
  seal: (plain) => Buffer.from(plain).toString('base64').split('').reverse().join(''),
  open: (sealed) => Buffer.from(sealed.split('').reverse().join(''), 'base64').toString(),
}

let dir: string
let relay: Relay
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-lan-control-'))
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    data: join(dir, 'data'),
    token: undefined,
    logLevel: 'silent',
  })
})
afterEach(async () => {
  await relay.stop()
  await rm(dir, { recursive: true, force: true })
})

const open = () =>
  LanControl.open({
    node: relay.node,
    store: relay.store,
    file: join(dir, 'lan.json'),
    sealer,
    port: 0,
    interface: '127.0.0.1',
  })

describe('LanControl (the app node’s LAN mode)', () => {
  it('makes a workspace, keeps its code sealed on disk, and rejoins it after a restart', async () => {
    const first = await open()
    expect(first.status().on).toBe(false)
    const made = await first.request({ action: 'create' })
    if (!made.ok) throw new Error(made.error)
    expect(made.status.on).toBe(true)
    const code = made.pairingCode as string
    const added = await first.request({ action: 'add-peer', address: '127.0.0.1:9' })
    expect(added.ok).toBe(true)
    const onDisk = await readFile(join(dir, 'lan.json'), 'utf8')
    expect(onDisk).not.toContain(code)
    expect(JSON.parse(onDisk)).toMatchObject({
      peers: ['127.0.0.1:9'],
      sealed: { by: 'test-keychain' },
    })
    await first.close()

    const again = await open()
    expect(again.status()).toMatchObject({ on: true })
    expect(again.status().peers.map((p) => p.address)).toEqual(['127.0.0.1:9'])
    const shown = await again.request({ action: 'reveal' })
    expect(shown.ok && shown.pairingCode).toBe(code)
    await again.request({ action: 'leave' })
    expect(again.status().on).toBe(false)
    await again.close()
    expect((await open()).status().on).toBe(false)
  })

  it('answers bad requests with a reason and changes nothing', async () => {
    const control = await open()
    for (const [input, reason] of [
      [{ action: 'join', code: 'nonsense' }, /code/i],
      [{ action: 'add-peer', address: '127.0.0.1:1' }, /make or join a workspace first/],
      [{ action: 'explode' }, /unknown LAN action/],
      [null, /no request/],
    ] as const) {
      const result = await control.request(input)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toMatch(reason)
    }
    expect(control.status().on).toBe(false)
    await control.request({ action: 'create' })
    const bad = await control.request({ action: 'add-peer', address: 'no-port' })
    expect(bad.ok).toBe(false)
    await control.close()
  })
})
