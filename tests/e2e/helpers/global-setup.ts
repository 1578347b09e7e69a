import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../../..')

/** Builds the renderer once, so every test serves the code under test. */
export default function globalSetup(): void {
  const chromium = process.env.LATTICE_CHROMIUM ?? '/usr/bin/chromium'
  if (!existsSync(chromium))
    throw new Error(
      `no Chromium at ${chromium}: install it (apt-get install -y chromium) or set LATTICE_CHROMIUM`,
    )
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
}
