import { createServer, connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { corkForThisTurn } from '../../../sync-server/net/cork'

const open: Socket[] = []
afterEach(() => {
  for (const s of open.splice(0)) s.destroy()
})

/** A connected pair on 127.0.0.1, and the chunks the receiving end reads. */
async function pair(): Promise<{ sender: Socket; chunks: Buffer[] }> {
  const chunks: Buffer[] = []
  const server = createServer((s) => {
    open.push(s)
    s.on('data', (c: Buffer) => chunks.push(c))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const sender = connect(port, '127.0.0.1')
  open.push(sender)
  await new Promise<void>((r) => sender.once('connect', () => r()))
  server.close()
  return { sender, chunks }
}

const settle = () => new Promise((r) => setTimeout(r, 50))

describe('corkForThisTurn', () => {
  it('holds writes of one turn and sends them together, in order, at its end', async () => {
    const { sender, chunks } = await pair()
    corkForThisTurn(sender)
    corkForThisTurn(sender) // corked once per turn, however often asked
    for (const part of ['a', 'b', 'c']) sender.write(part)
    expect(sender.writableCorked).toBe(1)
    await new Promise((r) => setImmediate(r))
    expect(sender.writableCorked).toBe(0)
    await settle()
    expect(Buffer.concat(chunks).toString()).toBe('abc')
    expect(chunks).toHaveLength(1)
  })

  it('uncorks every socket corked in the turn, and corks again in the next', async () => {
    const a = await pair()
    const b = await pair()
    corkForThisTurn(a.sender)
    corkForThisTurn(b.sender)
    a.sender.write('1')
    b.sender.write('2')
    await new Promise((r) => setImmediate(r))
    expect([a.sender.writableCorked, b.sender.writableCorked]).toEqual([0, 0])
    corkForThisTurn(a.sender)
    a.sender.write('3')
    expect(a.sender.writableCorked).toBe(1)
    await settle()
    expect(Buffer.concat(a.chunks).toString()).toBe('13')
    expect(Buffer.concat(b.chunks).toString()).toBe('2')
  })
})
