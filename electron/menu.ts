import type { BaseWindow, MenuItemConstructorOptions } from 'electron'
import type { MenuCommand } from './ipc-contract'

export interface MenuHandlers {
  /** A command for the page of `window` (the focused one; undefined when none is). */
  command(command: MenuCommand, window: BaseWindow | undefined): void
  newWindow(): void
}

/** The accelerators, one table so the menu and its test read the same keys. */
export const SHORTCUTS = {
  newNote: 'CmdOrCtrl+N',
  newWindow: 'CmdOrCtrl+Shift+N',
  search: 'CmdOrCtrl+K',
  rename: 'F2',
  trash: 'CmdOrCtrl+Shift+Backspace',
  toggleOffline: 'CmdOrCtrl+Shift+O',
  close: 'CmdOrCtrl+W',
} as const

/** The app menu: what each item does to a note is the page's business; main only relays it. */
export function menuTemplate(
  platform: NodeJS.Platform,
  handlers: MenuHandlers,
  devTools: boolean,
): MenuItemConstructorOptions[] {
  const send =
    (command: MenuCommand): MenuItemConstructorOptions['click'] =>
    (_item, window) =>
      handlers.command(command, window)
  const mac = platform === 'darwin'
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New Note', accelerator: SHORTCUTS.newNote, click: send('new-note') },
      { label: 'New Window', accelerator: SHORTCUTS.newWindow, click: () => handlers.newWindow() },
      { type: 'separator' },
      { label: 'Rename Note', accelerator: SHORTCUTS.rename, click: send('rename') },
      { label: 'Move Note to Trash', accelerator: SHORTCUTS.trash, click: send('trash') },
      { type: 'separator' },
      { label: 'Close Window', role: 'close', accelerator: SHORTCUTS.close },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  }
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      { type: 'separator' },
      { label: 'Search Notes', accelerator: SHORTCUTS.search, click: send('search') },
    ],
  }
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Work Offline',
        accelerator: SHORTCUTS.toggleOffline,
        click: send('toggle-offline'),
      },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(devTools ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  }
  return [...(mac ? [{ role: 'appMenu' } as const] : []), file, edit, view, { role: 'windowMenu' }]
}
