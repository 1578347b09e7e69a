import { describe, expect, it } from 'vitest'
import { locateElectron } from '../../../electron/electron-binary'

describe('locateElectron', () => {
  it('reports no binary when the electron package throws (nothing was downloaded)', () => {
    const located = locateElectron(() => {
      throw new Error('Electron failed to install correctly')
    })
    expect(located).toEqual({
      found: false,
      reason: 'node_modules/electron has no downloaded binary',
    })
  })

  it('reports no binary when the path it names is not there, and finds one that is', () => {
    expect(locateElectron(() => '/nowhere/electron')).toEqual({
      found: false,
      reason: '/nowhere/electron is missing',
    })
    expect(locateElectron(() => process.execPath)).toEqual({ found: true, path: process.execPath })
  })
})
