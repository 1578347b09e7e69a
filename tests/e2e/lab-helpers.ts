import type { Page } from '@playwright/test'
import { AppWindow } from './helpers/app-window'
import { expect } from './helpers/fixtures'

/** The Lab's own editor for a lane (a Lab replica). */
export const labEditor = (page: Page, name: string) =>
  page.locator(`[data-testid="lab-editor"][data-name="${name}"] .cm-content`)

/** Types at the end of a Lab replica's own editor. */
export async function typeInLab(page: Page, name: string, text: string): Promise<void> {
  await labEditor(page, name).click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(text)
}

export const labText = (page: Page, name: string) => labEditor(page, name).innerText()

/** A lane's card: its version vector, switches and editor. */
export const replica = (page: Page, name: string) =>
  page.locator(`[data-testid="lab-replica"][data-name="${name}"]`)

/** A new note of `engine` with `text` typed, and the Lab opened on it with one Lab replica. */
export async function labOn(
  w: AppWindow,
  engine: 'yjs' | 'automerge',
  title: string,
  text: string,
): Promise<void> {
  await w.newNote(engine, title)
  await w.type(text)
  await w.page.getByTestId('open-lab').click()
  await expect.poll(() => labText(w.page, 'Lab B')).toBe(text)
}

/** Runs a preset from the Lab's tools and waits for its outcome line. */
export async function runPreset(page: Page, id: string, timeout = 60_000): Promise<string> {
  await page.getByTestId('lab-preset').selectOption(id)
  await page.getByTestId('lab-run-preset').click()
  await expect(page.getByTestId('lab-running')).toBeHidden({ timeout })
  return page.getByTestId('lab-outcome').innerText()
}

/** The text of a download the page starts with `click`. */
export async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const download = page.waitForEvent('download')
  await click()
  const stream = await (await download).createReadStream()
  const chunks = (await stream.toArray()) as Buffer[]
  return Buffer.concat(chunks).toString('utf8')
}
