// Bundles the main process and the preload into dist/electron/*.cjs: `npm run build:electron`.
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild'
import { APP_FILES } from './paths'

export const ROOT = resolve(import.meta.dirname, '..')

/**
 * Left out of the main bundle and shipped in node_modules instead: Electron itself, and
 * classic-level, whose native binding is found next to its own files (prebuilds/).
 */
export const MAIN_EXTERNALS = ['electron', 'classic-level']

/**
 * Automerge's Node entry reads its .wasm from its own folder at run time, which a bundle can't
 * follow; its base64 build carries the wasm inline. Same API, same package.
 */
const automergeInline: Plugin = {
  name: 'automerge-inline-wasm',
  setup(b) {
    const require = createRequire(join(ROOT, 'package.json'))
    // Resolves to dist/cjs/fullfat_node.cjs; its base64 sibling is not an exported subpath.
    const inline = join(dirname(require.resolve('@automerge/automerge')), 'fullfat_base64.cjs')
    b.onResolve({ filter: /^@automerge\/automerge$/ }, () => ({ path: inline }))
  },
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
}

export interface Bundles {
  readonly main: string
  readonly preload: string
  readonly metafiles: { readonly main: Metafile; readonly preload: Metafile }
}

/** Builds both bundles into `outDir` (default dist/electron). */
export async function bundleElectron(
  outDir = join(ROOT, dirname(APP_FILES.main)),
): Promise<Bundles> {
  const main = join(outDir, 'main.cjs')
  const preload = join(outDir, 'preload.cjs')
  const [m, p] = await Promise.all([
    build({
      ...common,
      entryPoints: [join(ROOT, 'electron/main.ts')],
      outfile: main,
      external: MAIN_EXTERNALS,
      plugins: [automergeInline],
    }),
    // A sandboxed preload can require 'electron' and nothing of ours: everything else is inlined.
    build({
      ...common,
      entryPoints: [join(ROOT, 'electron/preload.ts')],
      outfile: preload,
      external: ['electron'],
    }),
  ])
  return { main, preload, metafiles: { main: metafileOf(m), preload: metafileOf(p) } }
}

function metafileOf(result: { metafile?: Metafile }): Metafile {
  if (!result.metafile) throw new Error('esbuild returned no metafile')
  return result.metafile
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now()
  const out = await bundleElectron()
  process.stdout.write(`built ${out.main} and ${out.preload} in ${Date.now() - started} ms\n`)
}
