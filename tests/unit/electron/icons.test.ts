import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ICON_FILES } from '../../../electron/icons'

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file)
  expect(bytes.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a')
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('build/ icons', () => {
  it('are rendered from icon.svg at every size electron-builder reads', () => {
    expect(readFileSync(ICON_FILES.source, 'utf8')).toMatch(/<svg[^>]+viewBox="0 0 1024 1024"/)
    for (const { file, size } of [ICON_FILES.main, ...ICON_FILES.set])
      expect(pngSize(file), file).toEqual({ width: size, height: size })
  })
})
