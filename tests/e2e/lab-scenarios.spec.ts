import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { labOn, runPreset } from './lab-helpers'

test('every preset runs through the real links and ends converged, with its heal cost', async ({
  host,
  context,
  shots,
}) => {
  test.setTimeout(180_000)
  const w = await AppWindow.open(context, host.url)
  await labOn(w, 'yjs', 'Presets', 'note text')
  shots.push(w)
  const timings: Record<string, number> = {}
  for (const id of ['split-brain', 'chain', 'one-way', 'flapping', 'offline']) {
    const started = Date.now()
    const outcome = await runPreset(w.page, id)
    timings[id] = Date.now() - started
    expect(outcome, id).toMatch(/converged, \d+ ms after the heal.*sync frames/)
    await expect(w.page.getByTestId('verdict'), id).toHaveText(/Converged/)
    await expect(w.page.getByTestId('lab-showing'), id).toContainText('Preset')
  }
  console.log('preset run times (ms):', JSON.stringify(timings))
  // Back to the note: the presets ran on scratch notes and left this one alone.
  await w.page.getByTestId('lab-back').click()
  await expect(w.page.getByTestId('lab-replica')).toHaveCount(2)
  expect(await w.text()).toBe('note text')

  // The chain's middle link is drawn as a link between replicas; C has no other path.
  await runPreset(w.page, 'chain')
  await expect(w.page.getByTestId('lab-replica')).toHaveCount(3)
  await expect(w.page.getByTestId('lab-peer-link')).toHaveAttribute('data-name', 'Lab B–Lab C')
  await expect(w.page.locator('[data-testid="lab-replica"][data-name="Lab C"]')).toContainText(
    'No link to the node',
  )
  const texts = await w.page.getByTestId('lab-editor').allInnerTexts()
  expect(new Set(texts).size).toBe(1)
  expect(texts[0]).toContain(' from A.')
  expect(texts[0]).toContain(' from C.')
  await w.page.getByTestId('space-time').scrollIntoViewIfNeeded()
})

test('Yjs and Automerge side by side: one concurrent scenario, where their merges differ', async ({
  host,
  context,
  shots,
}) => {
  const w = await AppWindow.open(context, host.url)
  await labOn(w, 'yjs', 'Engines', 'x')
  shots.push(w)
  await w.page.getByTestId('lab-compare').click()
  const diff = w.page.getByTestId('engine-diff')
  await expect(diff).toBeVisible({ timeout: 30_000 })
  await expect(diff).toHaveAttribute('data-same', 'false')
  const yjs = await diff.getByTestId('engine-text-yjs').innerText()
  const automerge = await diff.getByTestId('engine-text-automerge').innerText()
  // Same characters, different order: every edit kept, concurrent ones placed differently.
  const sorted = (s: string) => [...s].sort().join('')
  expect(sorted(yjs)).toBe(sorted(automerge))
  expect(yjs).not.toBe(automerge)
  expect(yjs).toMatch(/^(abc123|123abc)/)
  const only = diff.getByTestId('engine-diff-text').locator('span.a, span.b')
  expect(await only.count()).toBeGreaterThan(0)
  await diff.scrollIntoViewIfNeeded()
})
