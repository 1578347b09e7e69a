import type { AppWindow } from './app-window'

/** Sets the relay in a window's settings panel, as a person would. */
export async function useRelay(w: AppWindow, url: string, token: string): Promise<void> {
  if (!(await w.page.getByTestId('relay-form').isVisible()))
    await w.page.getByTestId('relay-status').click()
  await w.page.getByTestId('relay-url').fill(url)
  await w.page.getByTestId('relay-token').fill(token)
  await w.page.getByTestId('relay-save').click()
}
