import { laneSignature } from '../../shared/lab/signature'
import { parseRecording } from '../../shared/lab/recording'
import type { LabEvent } from '../../shared/lab/lab-log'
import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { downloaded, labOn, labText, replica, typeInLab } from './lab-helpers'

test('a recorded Lab session replays to the same text on every replica and the same diagram', async ({
  host,
  context,
  shots,
}) => {
  test.setTimeout(120_000)
  const w = await AppWindow.open(context, host.url)
  const page = w.page
  await labOn(w, 'yjs', 'Recorded session', 'base')
  shots.push(w)

  await page.getByTestId('lab-record').click()
  await w.type(' one')
  await typeInLab(page, 'Lab B', ' two')
  await replica(page, 'Lab B').getByTestId('lab-delayMs').fill('300')
  await typeInLab(page, 'Lab B', ' slow')
  await replica(page, 'This window').getByTestId('lab-cut').click()
  await replica(page, 'Lab B').getByTestId('lab-cut').click()
  await w.type(' left')
  await typeInLab(page, 'Lab B', ' right')
  await replica(page, 'This window').getByTestId('lab-heal').click()
  await replica(page, 'Lab B').getByTestId('lab-heal').click()
  await expect(page.getByTestId('verdict')).toHaveText(/Converged/)
  await page.waitForTimeout(500)
  await page.getByTestId('lab-stop-recording').click()

  const json = await downloaded(page, () => page.getByTestId('lab-export-recording').click())
  const rec = parseRecording(json)
  const edits = rec.steps.filter((s) => s.step.kind === 'edit')
  // One step per keystroke, with where it went: ' one', ' two', ' slow', ' left', ' right'.
  expect(edits).toHaveLength(24)
  expect(edits[0]?.step).toMatchObject({
    kind: 'edit',
    lane: 'This window',
    ops: [{ at: 4, insert: ' ' }],
  })
  expect(rec.steps.map((s) => s.step.kind)).toEqual(
    expect.arrayContaining(['faults', 'cut', 'heal']),
  )
  const merged = rec.final.texts['This window']
  expect(Object.values(rec.final.texts)).toEqual([merged, merged])

  // Load the exported file back: it replays on fresh Lab replicas of a scratch note.
  await page.getByTestId('lab-load-recording').setInputFiles({
    name: 'recording.json',
    mimeType: 'application/json',
    buffer: Buffer.from(json),
  })
  await expect(page.getByTestId('lab-showing')).toContainText('Replay')
  const outcome = page.getByTestId('lab-outcome')
  await expect(outcome).toBeVisible({ timeout: 60_000 })
  expect(await outcome.innerText()).toContain('Replay matched the recording')
  await expect(outcome).toHaveAttribute('data-matched', 'true')
  for (const [lane, text] of Object.entries(rec.final.texts))
    await expect.poll(() => labText(page, lane)).toBe(text)
  // The replay's own exported log draws the same events per lane as the recording did.
  const log = JSON.parse(
    await downloaded(page, () => page.getByRole('button', { name: 'JSON' }).click()),
  ) as {
    events: LabEvent[]
  }
  expect(laneSignature(log.events)).toEqual(rec.final.signature)
  await page.getByTestId('space-time').scrollIntoViewIfNeeded()
})
