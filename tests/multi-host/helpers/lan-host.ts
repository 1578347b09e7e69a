import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { NetLab } from './netns'

const ROOT = resolve(import.meta.dirname, '../../..')
export const NODE_PORT = 4444

export type LogLine = Record<string, unknown> & { msg?: string }

export interface Health {
  node: string
  documentsStored: number
  lanPeers?: string[]
}

/** The relay CLI in LAN mode, run inside one host of a `NetLab`; its JSON logs are kept. */
export class LanHost {
  readonly logs: LogLine[] = []
  private constructor(
    readonly name: string,
    readonly address: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<unknown>,
    private readonly dir: string,
  ) {}

  static async spawn(
    lab: NetLab,
    name: string,
    opts: { code: string; token?: string; peers?: string[] },
  ): Promise<LanHost> {
    const dir = await mkdtemp(join(tmpdir(), `lattice-host-${name}-`))
    const args = [
      ...['--import', 'tsx', 'sync-server/cli.ts', '--lan', '--workspace', opts.code],
      ...['--port', String(NODE_PORT), '--data', dir, '--log-level', 'info'],
      ...(opts.token ? ['--token', opts.token] : []),
      ...(opts.peers ?? []).flatMap((p) => ['--peer', p]),
    ]
    const [cmd, ...argv] = lab.exec(name, [process.execPath, ...args]) as [string, ...string[]]
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise((done) => child.on('exit', done))
    const host = new LanHost(name, lab.address(name), child, exited, dir)
    let stderr = ''
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        host.logs.push(JSON.parse(line) as LogLine)
      } catch {
        stderr += `${line}\n`
      }
    })
    const listening = new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${name} did not start: ${stderr}`)), 30_000)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.includes('listening on')) return
        clearTimeout(timer)
        ok()
      })
      void exited.then((code) => fail(new Error(`${name} exited (${code}): ${stderr}`)))
    })
    try {
      await listening
    } catch (err) {
      await host.stop()
      throw err
    }
    return host
  }

  /** Where a client in the root namespace reaches this node. */
  get url(): string {
    return `ws://${this.address}:${NODE_PORT}`
  }

  async health(): Promise<Health> {
    const res = await fetch(`http://${this.address}:${NODE_PORT}/healthz`)
    return (await res.json()) as Health
  }

  logged(msg: string, fields: Record<string, unknown> = {}): LogLine | undefined {
    return this.logs.find(
      (l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v),
    )
  }

  /** SIGTERM (the node flushes and says goodbye over mDNS), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
      await this.exited
      clearTimeout(timer)
    }
    await rm(this.dir, { recursive: true, force: true })
  }
}
