import type { BaseWindow, MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { isMenuCommand, type MenuCommand } from '../../../electron/ipc-contract'
import { menuTemplate, SHORTCUTS } from '../../../electron/menu'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [
    i,
    ...flatten(Array.isArray(i.submenu) ? (i.submenu as MenuItemConstructorOptions[]) : []),
  ])
}

function build(platform: NodeJS.Platform, devTools = false) {
  const calls: (MenuCommand | 'new-window')[] = []
  const windows: (BaseWindow | undefined)[] = []
  const items = flatten(
    menuTemplate(
      platform,
      {
        command: (c, w) => {
          calls.push(c)
          windows.push(w)
        },
        newWindow: () => calls.push('new-window'),
      },
      devTools,
    ),
  )
  const byLabel = (label: string) => items.find((i) => i.label === label)
  return { items, calls, windows, byLabel }
}

describe('the app menu', () => {
  it('has the shortcuts: new note, new window, search, close', () => {
    const { byLabel, items } = build('linux')
    expect(byLabel('New Note')?.accelerator).toBe('CmdOrCtrl+N')
    expect(byLabel('New Window')?.accelerator).toBe('CmdOrCtrl+Shift+N')
    expect(byLabel('Search Notes')?.accelerator).toBe('CmdOrCtrl+K')
    expect(byLabel('Close Window')).toMatchObject({ role: 'close', accelerator: 'CmdOrCtrl+W' })
    const accelerators = items.map((i) => i.accelerator).filter(Boolean)
    expect(new Set(accelerators).size, 'no two items share a key').toBe(accelerators.length)
    expect(accelerators.sort()).toEqual(Object.values(SHORTCUTS).sort())
  })

  it('sends each note command to the window it was given, and opens windows itself', () => {
    const { items, calls, windows } = build('linux')
    const win = { id: 3 } as BaseWindow
    for (const item of items) if (item.click) item.click({} as never, win, {} as never)
    expect(calls.filter(isMenuCommand).sort()).toEqual(
      ['new-note', 'rename', 'search', 'toggle-offline', 'trash'].sort(),
    )
    expect(calls).toContain('new-window')
    expect(new Set(windows)).toEqual(new Set([win]))
  })

  it('has the macOS app menu and no Quit in File there; DevTools only in development', () => {
    const roles = (p: NodeJS.Platform, dev = false) => build(p, dev).items.map((i) => i.role)
    expect(roles('darwin')).toContain('appMenu')
    expect(roles('darwin')).not.toContain('quit')
    expect(roles('win32')).toContain('quit')
    expect(roles('linux')).not.toContain('toggleDevTools')
    expect(roles('linux', true)).toContain('toggleDevTools')
  })
})
