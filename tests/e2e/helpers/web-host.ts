import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../../..')

/** The browser host (`npm run web`) as a real process, with its data in a temp folder. */
export class WebHost {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly data: string,
    private readonly exited: Promise<number | string>,
  ) {}

  static async start(data?: string, port = 0, env: NodeJS.ProcessEnv = {}): Promise<WebHost> {
    const dir = data ?? (await mkdtemp(join(tmpdir(), 'lattice-web-')))
    const child = spawn(
      process.execPath,
      [
        // For investigating by hand, e.g. LATTICE_WEB_HOST_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/p"
        ...(process.env.LATTICE_WEB_HOST_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        '--import',
        'tsx',
        'sync-server/web/cli.ts',
        '--port',
        String(port),
        '--data',
        dir,
        '--log-level',
        'warn',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    )
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | string>((done) =>
      child.on('exit', (code, signal) => done(code ?? signal ?? -1)),
    )
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`web host did not start: ${stderr}`)), 20_000)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /running at (http:\/\/\S+?)\/? /.exec(line)
        if (m) {
          clearTimeout(timer)
          ok(`${m[1]}/`)
        }
      })
      void exited.then((code) => fail(new Error(`web host exited (${code}): ${stderr}`)))
    })
    return new WebHost(child, url, dir, exited)
  }

  get port(): number {
    return Number(new URL(this.url).port)
  }

  /** SIGTERM: the host closes connections and flushes storage before it exits. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM')
    await this.exited
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL')
    await this.exited
  }

  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.kill()
    await rm(this.data, { recursive: true, force: true })
  }
}
