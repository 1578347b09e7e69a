import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { REPO_ROOT } from '../lib/measure'

export type ServerKind = 'lattice' | 'stock'

export const SERVER_LABEL: Record<ServerKind, string> = {
  lattice: 'Lattice relay',
  stock: '@y/websocket-server 0.1.1',
}

/** What a server process reports over IPC after two full collections (see probe.ts). */
export interface MemoryReading {
  readonly rss: number
  readonly heapUsed: number
  /** Resident size of V8's heap, live objects plus the slack V8 keeps (see lib/measure.ts). */
  readonly heapResident: number
  readonly external: number
}

/** Event-loop delay and GC pauses of a server while its clients typed (see probe.ts). */
export interface StallReading {
  readonly loopP99Ms: number
  readonly loopMaxMs: number
  /** Main-thread GC pauses, total and longest. */
  readonly gcMs: number
  readonly gcMaxMs: number
}

/** RSS with V8's heap slack taken out, as `liveBytes` in lib/measure.ts. */
export const liveBytes = (m: MemoryReading): number => m.rss - m.heapResident + m.heapUsed

export interface ServerProcess {
  readonly kind: ServerKind
  readonly child: ChildProcess
  readonly pid: number
  /** Base URL: the y-websocket room `r` is at `${url}/r` on both servers. */
  readonly url: string
  /** Memory after two full collections in the server process. */
  memory(): Promise<MemoryReading>
  /** Counts event-loop delay and GC pauses from now on (true) or stops counting (false). */
  countStalls(on: boolean): Promise<void>
  stalls(): Promise<StallReading>
  /** CPU seconds (user + system, all threads) the server process has used so far. */
  cpuSeconds(): number
  /** Kills the process and removes its data folder. */
  stop(): Promise<void>
}

const PROBE = path.resolve(import.meta.dirname, 'probe.ts')
const START_TIMEOUT_MS = 30_000
const REPLY_TIMEOUT_MS = 30_000
/** Linux reports process times in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100

/** The stock server exactly as `npx y-websocket-server` runs it: the package's own bin. */
function stockServerScript(): string {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve('@y/websocket-server/package.json')
  return path.join(path.dirname(pkg), 'src', 'server.js')
}

/** A free TCP port on 127.0.0.1 (the stock bin takes its port from PORT and cannot use 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/**
 * Starts one server as its own process on 127.0.0.1, with the same Node flags for both kinds
 * (`--expose-gc`, the tsx loader, the memory probe): the Lattice relay CLI with a fresh LevelDB
 * folder, or `@y/websocket-server`'s bin (memory only, no persistence).
 */
export async function startServerProcess(kind: ServerKind): Promise<ServerProcess> {
  const flags = ['--expose-gc', '--import', 'tsx', '--import', PROBE]
  // For investigating a result by hand: CPU profiles of the servers land in this folder.
  const profileDir = process.env.LATTICE_FANOUT_CPU_PROFILE_DIR
  if (profileDir) flags.push('--cpu-prof', '--cpu-prof-dir', profileDir)
  let args: string[]
  let env: NodeJS.ProcessEnv = process.env
  let dataDir: string | null = null
  let listening: RegExp
  let port = 0
  if (kind === 'lattice') {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lattice-fanout-'))
    args = ['sync-server/cli.ts', '--port', '0', '--data', dataDir, '--log-level', 'error']
    listening = /listening on ws:\/\/[^:]+:(\d+)/
  } else {
    port = await freePort()
    args = [stockServerScript()]
    env = { ...process.env, HOST: '127.0.0.1', PORT: String(port) }
    listening = /running at/
  }
  const child = spawn(process.execPath, [...flags, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000)
  })
  let exitCode: number | string | null = null
  const exited = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal ?? -1
      done()
    }),
  )
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const listeningPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${kind} server did not start in ${START_TIMEOUT_MS} ms: ${stderr}`))
    }, START_TIMEOUT_MS)
    lines.on('line', (line) => {
      const m = listening.exec(line)
      if (!m) return
      clearTimeout(timer)
      resolve(m[1] === undefined ? port : Number(m[1]))
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`${kind} server exited (${exitCode}) before listening: ${stderr}`))
    })
  })
  const pid = child.pid as number
  return {
    kind,
    child,
    pid,
    url: `ws://127.0.0.1:${listeningPort}`,
    memory: () =>
      ask(
        child,
        kind,
        'memory',
        (m) => typeof m.rss === 'number',
        () => stderr,
      ),
    countStalls: async (on) => {
      await ask(
        child,
        kind,
        on ? 'stalls-on' : 'stalls-off',
        (m) => 'stalls' in m,
        () => stderr,
      )
    },
    stalls: () =>
      ask(
        child,
        kind,
        'stalls',
        (m) => typeof m.loopP99Ms === 'number',
        () => stderr,
      ),
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      if (exitCode === null && profileDir) {
        // The probe exits on disconnect, which lets Node write the CPU profile.
        child.disconnect()
        await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))])
      }
      if (exitCode === null) {
        child.kill('SIGKILL')
        await exited
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Sends `request` to the server's probe and waits for the reply `isReply` recognises. */
function ask<T>(
  child: ChildProcess,
  kind: ServerKind,
  request: string,
  isReply: (message: Record<string, unknown>) => boolean,
  stderr: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      reject(new Error(`${kind} server did not answer ${request}: ${stderr()}`))
    }, REPLY_TIMEOUT_MS)
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null) return
      if (!isReply(message as Record<string, unknown>)) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(message as T)
    }
    child.on('message', onMessage)
    child.send(request)
  })
}

/** utime + stime of a process (every thread), from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces: the first is
  // field 3 (state), so utime (field 14) and stime (field 15) are at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}
