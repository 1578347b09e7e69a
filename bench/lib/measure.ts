import { spawn } from 'node:child_process'
import path from 'node:path'
import v8 from 'node:v8'

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..')

/** The p-th percentile (0-100) of some samples, nearest-rank. */
export function percentile(samples: Float64Array, p: number): number {
  if (samples.length === 0) return NaN
  const sorted = samples.slice().sort()
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return NaN
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Full garbage collection; the process must run with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = globalThis.gc
  if (!gc) throw new Error('run this script with node --expose-gc')
  // A second pass collects what the first one's finalizers released.
  gc()
  gc()
}

export interface MemorySample {
  readonly rss: number
  readonly heapUsed: number
  /**
   * Resident size of V8's heap: live objects plus the slack V8 keeps committed after a full
   * collection (its young generation alone grows to 2 × 16 MB when a program allocates fast).
   * Slack is allocator sizing, not live data.
   */
  readonly heapResident: number
}

/** Memory after a full collection. */
export function memoryAfterGc(): MemorySample {
  collectGarbage()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed, heapResident: v8.getHeapStatistics().total_physical_size }
}

/** RSS with V8's heap slack taken out: what the process holds resident for live data. */
export const liveBytes = (m: MemorySample): number => m.rss - m.heapResident + m.heapUsed

/** How much a memory figure grew between two samples, in MB. */
export const deltaMB = (
  before: MemorySample,
  after: MemorySample,
  figure: (m: MemorySample) => number,
): number => (figure(after) - figure(before)) / MB

/** Wall and CPU (user + system, all threads) milliseconds spent in `fn`. */
export function timed(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  fn()
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }
}

export const MB = 1024 * 1024

/**
 * Runs a TypeScript script in a fresh Node process (tsx loader, `--expose-gc`) and returns the
 * JSON value of the last line it prints, so what one library allocates never shows in another's
 * numbers. The child's stderr passes through (progress and errors).
 */
export function runInFreshProcess(script: string, args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', script, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => (stdout += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const what = `${path.relative(REPO_ROOT, script)} ${args.join(' ')}`
      if (code !== 0) return reject(new Error(`${what} exited with ${signal ?? code}`))
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last))
      } catch (err) {
        reject(
          new Error(`${what} printed no JSON line: ${JSON.stringify(last.slice(0, 200))}`, {
            cause: err,
          }),
        )
      }
    })
  })
}
