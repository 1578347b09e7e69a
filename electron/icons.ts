// Renders build/icon.svg into the PNGs electron-builder reads: `npx tsx electron/icons.ts`.
// Needs rsvg-convert (Debian: apt-get install librsvg2-bin). The PNGs are committed, so packaging
// does not need it; run this after changing the SVG.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const BUILD = resolve(import.meta.dirname, '../build')

/** Linux takes the icons/ set; macOS (icns) and Windows (ico) are made from icon.png. */
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const
export const ICON_FILES = {
  source: join(BUILD, 'icon.svg'),
  main: { file: join(BUILD, 'icon.png'), size: 1024 },
  set: ICON_SIZES.map((size) => ({ file: join(BUILD, 'icons', `${size}x${size}.png`), size })),
}

export function renderIcons(): void {
  mkdirSync(join(BUILD, 'icons'), { recursive: true })
  for (const { file, size } of [ICON_FILES.main, ...ICON_FILES.set]) {
    const args = ['-w', String(size), '-h', String(size), ICON_FILES.source, '-o', file]
    const run = spawnSync('rsvg-convert', args, { stdio: 'inherit' })
    if (run.error || run.status !== 0)
      throw new Error(
        `rsvg-convert failed (${run.error?.message ?? `exit ${run.status}`}); on Debian: apt-get install librsvg2-bin`,
      )
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  renderIcons()
  process.stdout.write(`rendered ${1 + ICON_SIZES.length} icons from ${ICON_FILES.source}\n`)
}
