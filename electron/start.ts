// `npm start`: builds the renderer and the Electron bundles, then opens the desktop app. Where
// the Electron binary is missing or can't run, says so and serves the app to a browser instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { runCli } from '../sync-server/cli-main'
import { startWebHost, WEB_DEFAULTS, WEB_HELP } from '../sync-server/web/host'
import { bundleElectron, ROOT } from './bundle'
import { locateElectron } from './electron-binary'

/** An Electron that exits non-zero this soon after launch did not start (no display, no libs). */
const EARLY_EXIT_MS = 5_000

/** The one paragraph `npm start` prints when it serves the app to a browser instead. */
function fallbackNotice(problem: string, url: string, data: string): string {
  return [
    `Lattice could not open the desktop app: ${problem}.`,
    'Electron downloads its binary when `npm install` runs, which fails or is skipped on a',
    'machine that cannot reach its download servers (or has ELECTRON_SKIP_BINARY_DOWNLOAD set).',
    'To get it, run `node node_modules/electron/install.js` (or `npm install electron`) with',
    'network access, then `npm start` again.',
    `Started the browser host instead: open ${url} in a browser (each tab is a window of the`,
    `app); notes are stored in ${data}.`,
  ].join(' ')
}

function run(command: string, args: string[]): void {
  const win = process.platform === 'win32'
  const result = spawnSync(win ? `${command}.cmd` : command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    shell: win,
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

async function startBrowserHost(problem: string): Promise<void> {
  await runCli({
    name: 'lattice',
    help: WEB_HELP,
    defaults: WEB_DEFAULTS,
    start: (config) => startWebHost(config),
    banner: ({ server }, config) => {
      const url = `${server.url.replace(/^ws/, 'http')}/`
      return `\n${fallbackNotice(problem, url, config.data)}\n\nLattice is running at ${url}`
    },
  })
}

/** Runs Electron on the app folder; resolves with a problem if it could not start at all. */
function launchElectron(path: string): Promise<string | null> {
  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  const started = Date.now()
  const child: ChildProcess = spawn(path, [ROOT], { cwd: ROOT, stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  return new Promise((resolve) => {
    child.once('error', (err) => resolve(`Electron (${path}) could not be run: ${err.message}`))
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal === null && Date.now() - started < EARLY_EXIT_MS)
        return resolve(
          `Electron (${path}) exited at once with code ${code} (see its message above)`,
        )
      process.exit(code ?? 0)
    })
  })
}

run('npm', ['run', '--silent', 'build:renderer'])
await bundleElectron()
const electron = locateElectron()
const problem = electron.found
  ? await launchElectron(electron.path)
  : `the Electron binary is not installed on this machine (${electron.reason})`
if (problem) await startBrowserHost(problem)
