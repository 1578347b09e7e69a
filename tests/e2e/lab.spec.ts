import { SHIVIZ_REGEX } from '../../shared/lab/shiviz'
import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { downloaded, labOn, labText, replica, typeInLab } from './lab-helpers'

test('split brain through the Lab: concurrent while cut, equal and converged after heal', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await labOn(w, 'yjs', 'Split brain in the Lab', 'base')
  shots.push(w)
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('equal')
  // Delay, loss, duplication and reordering for each replica's link.
  await expect(replica(w.page, 'Lab B').locator('input[type=range]')).toHaveCount(4)

  await replica(w.page, 'This window').getByTestId('lab-cut').click()
  await replica(w.page, 'Lab B').getByTestId('lab-cut').click()
  await w.type(' left')
  await typeInLab(w.page, 'Lab B', ' right')
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('concurrent')
  await expect(w.page.getByTestId('verdict')).toHaveText(/Diverged/)
  // The node is a replica too: cut off from both, it is behind each.
  const node = (lane: string) =>
    w.page.locator(`[data-testid=lab-node-relation][data-lane="${lane}"]`)
  await expect(node('This window')).toHaveText('before This window')
  await expect(node('Lab B')).toHaveText('before Lab B')
  // One dot per keystroke typed since the Lab opened.
  await expect(w.page.getByTestId('space-time')).toHaveAttribute('data-commits', '11')

  await replica(w.page, 'This window').getByTestId('lab-heal').click()
  await replica(w.page, 'Lab B').getByTestId('lab-heal').click()
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('equal')
  await expect(w.page.getByTestId('verdict')).toHaveText(/Converged/)
  await expect(node('This window')).toHaveText('equal This window')
  await expect(node('Lab B')).toHaveText('equal Lab B')
  const merged = await w.text()
  expect(merged.split(' left').length - 1).toBe(1)
  expect(merged.split(' right').length - 1).toBe(1)
  await expect.poll(() => labText(w.page, 'Lab B')).toBe(merged)

  // The heal's cost, measured from the frames the links carried.
  const cost = w.page.getByTestId('heal-cost')
  await expect(cost).toContainText(/\d+ ms after the heal.*\d+ sync frames in \d+ trips/)
  expect(Number(await cost.getAttribute('data-frames'))).toBeGreaterThan(0)
  expect(Number(await cost.getAttribute('data-bytes'))).toBeGreaterThan(0)

  // The merge report: who typed what, each side's text marked, the collision flagged.
  const report = w.page.getByTestId('merge-report')
  await report.locator('summary').click()
  await expect(report).toContainText('This window: " left"')
  await expect(report).toContainText('Lab B: " right"')
  const spans = report.getByTestId('merge-text').locator('span')
  await expect(spans.filter({ hasText: /^ left$/ })).toHaveAttribute('data-host', 'This window')
  await expect(spans.filter({ hasText: /^ right$/ })).toHaveAttribute('data-host', 'Lab B')
  await expect(spans.filter({ hasText: /^ left$/ })).toHaveAttribute('data-conflict', 'true')
  await expect(spans.filter({ hasText: /^ right$/ })).toHaveAttribute('data-conflict', 'true')
  await expect(spans.filter({ hasText: /^base$/ })).toHaveAttribute('data-kind', 'base')
  await expect(report.getByTestId('merge-conflicts')).toHaveAttribute('data-count', '1')
  await expect(report.getByTestId('merge-text')).toHaveText(merged)

  // The exported ShiViz log parses with ShiViz's default regex, one entry per event.
  const log = await downloaded(w.page, () => w.page.getByTestId('export-shiviz').click())
  const entries = [...log.matchAll(new RegExp(SHIVIZ_REGEX, 'g'))]
  expect(entries.length).toBeGreaterThanOrEqual(11)
  await report.scrollIntoViewIfNeeded()
})

test('a one-way partition in the Lab delivers in one direction only', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await labOn(w, 'automerge', 'One way', 'start')
  shots.push(w)
  await replica(w.page, 'This window').getByTestId('lab-cut-out').click()
  await w.type(' mine')
  await typeInLab(w.page, 'Lab B', ' theirs')
  // This window still receives what Lab B types; Lab B never gets this window's edit.
  await expect.poll(() => w.text()).toMatch(/^start( mine theirs| theirs mine)$/)
  await w.page.waitForTimeout(500)
  expect(await labText(w.page, 'Lab B')).toBe('start theirs')
  await expect(w.page.getByTestId('relation-0-1')).toHaveText('after')
  await replica(w.page, 'This window').getByTestId('lab-heal').click()
  await expect.poll(() => labText(w.page, 'Lab B')).toBe(await w.text())
  await expect(w.page.getByTestId('verdict')).toHaveText(/Converged/)
  await expect(w.page.getByTestId('heal-cost')).toBeVisible()
})
