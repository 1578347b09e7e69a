import type { MenuCommand } from '../shared/desktop/api'

/** The app's keys in a browser tab (Electron's menu sends the same commands). */
const KEYS: ReadonlyArray<{ command: MenuCommand; match: (e: KeyboardEvent) => boolean }> = [
  { command: 'new-note', match: (e) => e.altKey && !e.ctrlKey && e.code === 'KeyN' },
  { command: 'search', match: (e) => (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k' },
  { command: 'rename', match: (e) => e.key === 'F2' },
  { command: 'toggle-offline', match: (e) => e.altKey && !e.ctrlKey && e.code === 'KeyO' },
  { command: 'open-lab', match: (e) => e.altKey && !e.ctrlKey && !e.shiftKey && e.code === 'KeyL' },
]

export type CommandHandlers = Record<MenuCommand, () => void>

export function bindShortcuts(target: Window, handlers: CommandHandlers): () => void {
  const onKey = (e: KeyboardEvent) => {
    const hit = KEYS.find((k) => k.match(e))
    if (!hit) return
    e.preventDefault()
    handlers[hit.command]()
  }
  target.addEventListener('keydown', onKey)
  return () => target.removeEventListener('keydown', onKey)
}
