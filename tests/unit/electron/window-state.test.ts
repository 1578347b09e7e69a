import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cascadeFrom,
  DEFAULT_STATE,
  fitToScreens,
  parseWindowState,
  WindowStateFile,
} from '../../../electron/window-state'

const LAPTOP = { x: 0, y: 0, width: 1440, height: 900 }
const RIGHT_MONITOR = { x: 1440, y: 0, width: 2560, height: 1440 }

describe('window state', () => {
  it('reads what it saved, and falls back to the default on anything else', () => {
    const saved = { bounds: { x: 10, y: 20, width: 900, height: 600 }, maximized: true }
    expect(parseWindowState(JSON.stringify(saved))).toEqual(saved)
    for (const junk of [null, '', '{', '[]', '"x"', '{"bounds":{"width":"wide"}}', 'null'])
      expect(parseWindowState(junk), String(junk)).toEqual(DEFAULT_STATE)
    expect(parseWindowState('{"bounds":{"width":10,"height":10,"x":1.5,"y":0}}')).toEqual({
      bounds: { width: 480, height: 320 },
      maximized: false,
    })
  })

  it('keeps a window on the monitor it was on, and centres one whose monitor is gone', () => {
    const onRight = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: false }
    expect(fitToScreens(onRight, [LAPTOP, RIGHT_MONITOR])).toEqual(onRight)
    expect(fitToScreens(onRight, [LAPTOP])).toEqual({
      bounds: { width: 1200, height: 800 },
      maximized: false,
    })
  })

  it('shrinks a window larger than its screen and pulls a half-off one back on', () => {
    const big = { bounds: { x: 1000, y: 500, width: 3000, height: 2000 }, maximized: false }
    expect(fitToScreens(big, [LAPTOP]).bounds).toEqual({ x: 0, y: 0, width: 1440, height: 900 })
    const hanging = { bounds: { x: 1000, y: 400, width: 800, height: 600 }, maximized: false }
    expect(fitToScreens(hanging, [LAPTOP]).bounds).toEqual({
      x: 640,
      y: 300,
      width: 800,
      height: 600,
    })
  })

  it('cascades a new window down and right, staying on screen', () => {
    expect(cascadeFrom({ x: 100, y: 100, width: 800, height: 600 }, [LAPTOP])).toEqual({
      x: 128,
      y: 128,
      width: 800,
      height: 600,
    })
    expect(cascadeFrom({ x: 640, y: 300, width: 800, height: 600 }, [LAPTOP])).toEqual({
      x: 640,
      y: 300,
      width: 800,
      height: 600,
    })
  })

  it('saves atomically and loads back; a missing or broken file gives the default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lattice-window-state-'))
    try {
      const file = new WindowStateFile(join(dir, 'sub', 'window-state.json'))
      expect(file.load()).toEqual(DEFAULT_STATE)
      const state = { bounds: { x: 5, y: 6, width: 700, height: 500 }, maximized: false }
      file.save(state)
      expect(file.load()).toEqual(state)
      await writeFile(join(dir, 'sub', 'window-state.json'), '{"bounds":')
      expect(file.load()).toEqual(DEFAULT_STATE)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
