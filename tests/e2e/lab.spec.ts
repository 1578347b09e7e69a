import { SHIVIZ_REGEX } from '../../shared/lab/shiviz'
import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'

/** Types into a Lab window's own editor. */
async function typeInLab(w: AppWindow, name: string, text: string): Promise<void> {
  await w.page.locator(`[data-testid="lab-editor"][data-name="${name}"] .cm-content`).click()
  await w.page.keyboard.press('Control+End')
  await w.page.keyboard.type(text)
}

const labText = (w: AppWindow, name: string) =>
  w.page.locator(`[data-testid="lab-editor"][data-name="${name}"] .cm-content`).innerText()

const replica = (w: AppWindow, name: string) =>
  w.page.locator(`[data-testid="lab-replica"][data-name="${name}"]`)

test('split brain through the Lab: concurrent while cut, equal and converged after heal', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await w.newNote('yjs', 'Split brain in the Lab')
  await w.type('base')
  await w.page.getByTestId('open-lab').click()
  shots.push(w)
  await expect.poll(() => labText(w, 'Lab B')).toBe('base')
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('equal')
  // Delay, loss, duplication and reordering for each replica's link.
  await expect(replica(w, 'Lab B').locator('input[type=range]')).toHaveCount(4)

  await replica(w, 'This window').getByTestId('lab-cut').click()
  await replica(w, 'Lab B').getByTestId('lab-cut').click()
  await w.type(' left')
  await typeInLab(w, 'Lab B', ' right')
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('concurrent')
  await expect(w.page.getByTestId('verdict')).toHaveText(/Diverged/)
  // One dot per keystroke typed since the Lab opened.
  await expect(w.page.getByTestId('space-time')).toHaveAttribute('data-commits', '11')

  await replica(w, 'This window').getByTestId('lab-heal').click()
  await replica(w, 'Lab B').getByTestId('lab-heal').click()
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('equal')
  await expect(w.page.getByTestId('verdict')).toHaveText(/Converged/)
  const merged = await w.text()
  expect(merged.split(' left').length - 1).toBe(1)
  expect(merged.split(' right').length - 1).toBe(1)
  await expect.poll(() => labText(w, 'Lab B')).toBe(merged)
  await w.page.getByTestId('merge-report').click()
  await expect(w.page.getByTestId('merge-report')).toContainText('This window: " left"')
  await expect(w.page.getByTestId('merge-report')).toContainText('Lab B: " right"')

  // The exported ShiViz log parses with ShiViz's default regex, one entry per event.
  const download = w.page.waitForEvent('download')
  await w.page.getByTestId('export-shiviz').click()
  const text = await (await (await download).createReadStream()).toArray()
  const log = Buffer.concat(text as Buffer[]).toString('utf8')
  const entries = [...log.matchAll(new RegExp(SHIVIZ_REGEX, 'g'))]
  expect(entries.length).toBeGreaterThanOrEqual(11)
})

test('a one-way partition in the Lab delivers in one direction only', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await w.newNote('automerge', 'One way')
  await w.type('start')
  await w.page.getByTestId('open-lab').click()
  shots.push(w)
  await expect.poll(() => labText(w, 'Lab B')).toBe('start')
  await replica(w, 'This window').getByTestId('lab-cut-out').click()
  await w.type(' mine')
  await typeInLab(w, 'Lab B', ' theirs')
  // This window still receives what Lab B types; Lab B never gets this window's edit.
  await expect.poll(() => w.text()).toMatch(/^start( mine theirs| theirs mine)$/)
  await w.page.waitForTimeout(500)
  expect(await labText(w, 'Lab B')).toBe('start theirs')
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('after')
  await replica(w, 'This window').getByTestId('lab-heal').click()
  await expect.poll(() => labText(w, 'Lab B')).toBe(await w.text())
  await expect(w.page.getByTestId('verdict')).toHaveText(/Converged/)
})
