import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { REPO_ROOT } from '../lib/measure'

/** The relay, as plain JavaScript for `node -e`: sockets at /a send, sockets at /b receive. */
const RELAY_SOURCE = `
const { WebSocketServer } = require('ws')
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
const receivers = new Set()
server.on('connection', (ws, req) => {
  if (req.url === '/b') {
    receivers.add(ws)
    ws.on('close', () => receivers.delete(ws))
    return
  }
  ws.on('message', (data, isBinary) => {
    for (const r of receivers) r.send(data, { binary: isBinary })
  })
})
server.on('listening', () => console.log('PORT ' + server.address().port))
`

/**
 * The floor under the app's keystroke latency: a plain WebSocket from window A to another Node
 * process (as the browser host is) and on to window B, carrying only the keystroke's index: no
 * editor, no CRDT, no node logic.
 */
export class RawRelay {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<RawRelay> {
    const child = spawn(process.execPath, ['-e', RELAY_SOURCE], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const port = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('raw relay did not start')), 10_000)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^PORT (\d+)/.exec(line)
        if (m) {
          clearTimeout(timer)
          ok(m[1] as string)
        }
      })
      child.on('exit', (code) => fail(new Error(`raw relay exited (${code})`)))
    })
    return new RawRelay(child, `ws://127.0.0.1:${port}`)
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((done) => this.child.on('exit', done))
    this.child.kill('SIGKILL')
    await exited
  }
}
