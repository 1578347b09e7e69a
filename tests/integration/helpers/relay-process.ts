import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../../..')

export interface RelayProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly url: string
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<number | string>
}

/** Starts the relay CLI as a real process and waits for its "listening" line. */
export async function spawnRelay(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'sync-server/cli.ts', '--port', '0', '--log-level', 'error', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | string>((done) =>
    child.on('exit', (code, signal) => done(code ?? signal ?? -1)),
  )
  const lines = createInterface({ input: child.stdout! })
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`relay did not start in 20 s: ${stderr}`)),
      20_000,
    )
    lines.on('line', (line) => {
      const m = /listening on ws:\/\/[^:]+:(\d+)/.exec(line)
      if (m) {
        clearTimeout(timer)
        ok(Number(m[1]))
      }
    })
    void exited.then((code) =>
      fail(new Error(`relay exited (${code}) before listening: ${stderr}`)),
    )
  })
  return { child, port, url: `ws://127.0.0.1:${port}`, exited }
}

export async function killHard(relay: RelayProcess): Promise<void> {
  relay.child.kill('SIGKILL')
  await relay.exited
}
