import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  SealedElsewhereError,
  SealedJsonFile,
  type Sealer,
} from '../../../sync-server/node/sealed-file'

const reversing: Sealer = {
  label: 'test-keychain',
  seal: (plain) => Buffer.from([...plain].reverse().join('')).toString('base64'),
  open: (sealed) => [...Buffer.from(sealed, 'base64').toString()].reverse().join(''),
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-sealed-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('SealedJsonFile', () => {
  it('seals the secret fields, leaves the rest readable, and opens them again', async () => {
    const file = new SealedJsonFile(join(dir, 's.json'), ['token'], reversing)
    await file.write({ url: 'ws://relay:4444', token: 'hunter2' })
    const raw = await readFile(file.file, 'utf8')
    expect(raw).not.toContain('hunter2')
    expect(JSON.parse(raw)).toMatchObject({
      url: 'ws://relay:4444',
      sealed: { by: 'test-keychain' },
    })
    expect(await file.read()).toEqual({ url: 'ws://relay:4444', token: 'hunter2' })
    expect((await stat(file.file)).mode & 0o777).toBe(0o600)
  })

  it('without a sealer writes plain JSON, owner-only', async () => {
    const file = new SealedJsonFile(join(dir, 'p.json'), ['token'], null)
    await file.write({ url: 'ws://x', token: 't' })
    expect(JSON.parse(await readFile(file.file, 'utf8'))).toEqual({ url: 'ws://x', token: 't' })
    expect((await stat(file.file)).mode & 0o777).toBe(0o600)
    expect(file.protection).toBe('file (0600)')
  })

  it('says clearly when the file was sealed by a keychain it does not have', async () => {
    await new SealedJsonFile(join(dir, 's.json'), ['token'], reversing).write({ token: 'x' })
    const elsewhere = new SealedJsonFile(join(dir, 's.json'), ['token'], null)
    await expect(elsewhere.read()).rejects.toThrow(SealedElsewhereError)
    await expect(elsewhere.read()).rejects.toThrow(/sealed with test-keychain/)
  })

  it('reads nothing when there is no file, and write(null) removes it', async () => {
    const file = new SealedJsonFile(join(dir, 'none.json'), ['token'], reversing)
    expect(await file.read()).toBeNull()
    await file.write({ token: 'a' })
    await file.write(null)
    expect(await file.read()).toBeNull()
  })
})
