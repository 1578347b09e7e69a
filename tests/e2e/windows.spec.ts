import { ENGINES } from '../../shared/engine/types'
import { RELOAD_GRACE_MS } from '../../renderer/sync/orphan-caches'
import { AppWindow, converged } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'

for (const engine of ENGINES) {
  test.describe(`${engine} note`, () => {
    test('two and three windows on one note converge while typing', async ({
      host,
      context,
      shots,
    }) => {
      const a = await AppWindow.open(context, host.url)
      const url = await a.newNote(engine, `Typing together (${engine})`)
      const b = await AppWindow.open(context, url)
      const c = await AppWindow.open(context, url)
      shots.push(a, b, c)
      await a.type('alpha ')
      await b.shows('alpha ')
      // At different places: two people typing at one spot interleave their keystrokes, as
      // in any live editor; each word is only whole when they type apart.
      await Promise.all([b.type('bravo ', 'start'), c.type('charlie ')])
      await a.type('again ')
      const text = await converged([a, b, c])
      for (const word of ['alpha', 'bravo', 'charlie', 'again'])
        expect(text.split(word).length - 1, `${word} once in ${JSON.stringify(text)}`).toBe(1)
      await expect(a.page.getByTestId('sync-summary')).toHaveText(/Up to date/)
    })

    test('a cut-off window keeps editing, survives a reload while cut, and converges when the link returns', async ({
      host,
      context,
      shots,
    }) => {
      const a = await AppWindow.open(context, host.url)
      const url = await a.newNote(engine, 'Offline edits')
      await a.type('shared start. ')
      const b = await AppWindow.open(context, url)
      shots.push(a, b)
      await b.shows('shared start. ')

      await b.setOffline(true)
      await b.type('written offline. ')
      await expect(b.page.getByTestId('sync-summary')).toHaveText(/Offline/)
      await a.page.waitForTimeout(300)
      expect(await a.text()).toBe('shared start. ')

      // Reload while cut: the window's own cache brings the edit back; it stays offline.
      await b.page.reload()
      await b.shows('shared start. written offline. ')
      await expect(b.page.getByTestId('offline-toggle')).toBeChecked()
      await b.type('and after reload.')
      expect(await a.text()).toBe('shared start. ')

      await b.setOffline(false)
      const text = await converged([a, b])
      expect(text).toBe('shared start. written offline. and after reload.')
      await expect(b.page.getByTestId('sync-summary')).toHaveText(/Up to date/)
    })

    test('a window closed while cut leaves its edits to the next window, which syncs them', async ({
      host,
      context,
      shots,
    }) => {
      const a = await AppWindow.open(context, host.url)
      const url = await a.newNote(engine, 'Closed while offline')
      await a.type('shared. ')
      const b = await AppWindow.open(context, url)
      await b.shows('shared. ')
      await b.setOffline(true)
      await b.type('only in the closed window.')
      await b.page.evaluate(() =>
        (
          window as unknown as { __lattice: { win: { flushed(): Promise<void> } } }
        ).__lattice.win.flushed(),
      )
      await b.page.close()
      await a.page.waitForTimeout(300)
      expect(await a.text()).toBe('shared. ')

      // A reload gets a few seconds to come back for its own cache; after that it is orphaned.
      await a.page.waitForTimeout(RELOAD_GRACE_MS + 500)
      const c = await AppWindow.open(context, url)
      shots.push(a, c)
      await c.shows('shared. only in the closed window.')
      await a.shows('shared. only in the closed window.')
      // The orphaned cache is gone: taken in once, not again by the next window. It is deleted
      // just after its edits are merged, so the text can show before the deletion is done.
      await expect
        .poll(() =>
          c.page.evaluate(async () =>
            (await indexedDB.databases())
              .map((d) => d.name ?? '')
              .filter((n) => n.startsWith('lattice-window-')),
          ),
        )
        .toHaveLength(2) // a's and c's
    })

    test('concurrent edits in two cut-off windows merge with both sides present once', async ({
      host,
      context,
      shots,
    }) => {
      const a = await AppWindow.open(context, host.url)
      const url = await a.newNote(engine, 'Split brain')
      await a.type('base')
      const b = await AppWindow.open(context, url)
      shots.push(a, b)
      await b.shows('base')
      await a.setOffline(true)
      await b.setOffline(true)
      await a.type(' [left side]')
      await b.type(' [right side]')
      expect(await a.text()).toBe('base [left side]')
      expect(await b.text()).toBe('base [right side]')
      await a.setOffline(false)
      await b.setOffline(false)
      const text = await converged([a, b])
      expect(text.startsWith('base')).toBe(true)
      expect(text.split('[left side]').length - 1).toBe(1)
      expect(text.split('[right side]').length - 1).toBe(1)
      expect(text.length).toBe('base [left side] [right side]'.length)
    })
  })
}

test('create, rename, trash and restore propagate between windows', async ({
  host,
  context,
  shots,
}) => {
  const a = await AppWindow.open(context, host.url)
  const b = await AppWindow.open(context, host.url)
  shots.push(a, b)
  await a.newNote('yjs', 'Groceries')
  await a.type('milk')
  await a.newNote('automerge', 'Ideas')
  await expect(b.noteTitles()).toHaveText(['Ideas', 'Groceries'])

  await b.openNote('Groceries')
  await b.shows('milk')
  await b.rename('Shopping list')
  await expect(a.noteTitles()).toHaveText(['Ideas', 'Shopping list'])

  await b.page.getByTestId('trash').click()
  await expect(a.noteTitles()).toHaveText(['Ideas'])
  await a.page.getByTestId('show-trash').click()
  await expect(a.noteTitles()).toHaveText(['Shopping list'])
  await a.page.getByTestId('restore').click()
  await a.page.getByTestId('show-trash').click()
  await expect(b.noteTitles()).toHaveText(['Ideas', 'Shopping list'])
  await b.openNote('Shopping list')
  await b.shows('milk')

  await a.page.getByTestId('search').fill('idea')
  await expect(a.noteTitles()).toHaveText(['Ideas'])
})

test('a closed and reopened host restores every note', async ({ host, browser, shots }) => {
  const first = await browser.newContext()
  const a = await AppWindow.open(first, host.url)
  const notes = [
    ['yjs', 'First', 'one'],
    ['automerge', 'Second', 'two'],
    ['yjs', 'Third', 'three'],
  ] as const
  for (const [engine, title, body] of notes) {
    await a.newNote(engine, title)
    await a.type(body)
  }
  await expect(a.page.getByTestId('sync-summary')).toHaveText(/Up to date/)
  await first.close()
  await host.stop()

  const again = await (await import('./helpers/web-host')).WebHost.start(host.data, host.port)
  try {
    // A fresh browser profile: nothing cached in the window; everything comes from the node.
    const second = await browser.newContext()
    const b = await AppWindow.open(second, again.url)
    shots.push(b)
    await expect(b.noteTitles()).toHaveText(['Third', 'Second', 'First'])
    for (const [, title, body] of notes) {
      await b.openNote(title)
      await b.shows(body)
    }
    await second.close()
  } finally {
    await again.stop()
  }
})

for (const [engine, caret, label] of [
  ['yjs', '.cm-ySelectionCaret', '.cm-ySelectionInfo'],
  ['automerge', '.cm-remoteCaret', '.cm-remoteCaretLabel'],
] as const) {
  test(`a window shows the cursors of the other windows on the same ${engine} note`, async ({
    host,
    context,
    shots,
  }) => {
    const a = await AppWindow.open(context, host.url)
    const url = await a.newNote(engine, 'Cursors')
    await a.type('where is everyone?')
    const b = await AppWindow.open(context, url)
    shots.push(a, b)
    await b.shows('where is everyone?')
    await b.editor.click()
    await b.page.keyboard.press('Control+Home')
    // Each window draws the other's caret, labelled with its name.
    await expect(a.page.locator(caret)).toHaveCount(1)
    await a.type(' here')
    await expect(b.page.locator(caret)).toHaveCount(1)
    await expect(b.page.locator(label)).toHaveText(/Window /)
    await a.shows('where is everyone? here')
  })
}
