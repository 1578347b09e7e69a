import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { labOn, labText, replica, typeInLab } from './lab-helpers'

test('the Lab in a window of its own: from the panel and by Alt+Shift+L, only the Lab, real replicas of the note', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await labOn(w, 'automerge', 'Lab window', 'hello')
  shots.push(w)
  const note = new URLSearchParams(new URL(w.page.url()).hash.slice(1)).get('note')

  const opened = context.waitForEvent('page')
  await w.page.getByTestId('lab-open-window').click()
  const lab = await opened
  const url = new URL(lab.url())
  expect(url.searchParams.get('lab')).toBe(note)
  expect(url.searchParams.get('engine')).toBe('automerge')
  await expect(lab.getByTestId('lab-page')).toBeVisible()
  // Only the Lab: no note list, no main editor; its replicas hold the note.
  await expect(lab.getByTestId('note-item')).toHaveCount(0)
  await expect(lab.locator('.note')).toHaveCount(0)
  await expect(lab.getByTestId('lab-open-window')).toHaveCount(0)
  await expect.poll(() => labText(lab, 'Lab A')).toBe('hello')
  await typeInLab(lab, 'Lab A', ' from the Lab')
  await w.shows('hello from the Lab')

  // Its switches work like the panel's: cut, type on both sides, heal, converge.
  await replica(lab, 'Lab A').getByTestId('lab-cut').click()
  await typeInLab(lab, 'Lab A', '!')
  await w.type('?')
  // Each side has an edit the other lacks. ('after' holds only until '?' reaches Lab B.)
  await expect(lab.getByTestId('relation-0-1')).toHaveText('concurrent')
  await replica(lab, 'Lab A').getByTestId('lab-heal').click()
  await expect(lab.getByTestId('verdict')).toHaveText(/Converged/)
  await expect.poll(() => w.text()).toMatch(/^hello from the Lab(!\?|\?!)$/)
  await expect.poll(() => labText(lab, 'Lab B')).toBe(await w.text())
  await lab.close()

  // The keyboard opens it too.
  await w.page.getByTestId('note-title').click()
  const again = context.waitForEvent('page')
  await w.page.keyboard.press('Alt+Shift+L')
  const lab2 = await again
  await expect(lab2.getByTestId('lab-page')).toHaveAttribute('data-note', note ?? '')
  await expect.poll(() => labText(lab2, 'Lab B')).toBe(await w.text())
  shots.push(new AppWindow(lab2))
})
