/** A piece of a two-way diff: in both texts, only in the first, or only in the second. */
export interface DiffPart {
  readonly kind: 'same' | 'a' | 'b'
  readonly text: string
}

/**
 * A character diff of `a` and `b` by longest common subsequence: the common prefix and suffix
 * are cut first, and a middle too big for the table (over `maxCells`) is shown as replaced.
 */
export function diffText(a: string, b: string, maxCells = 4_000_000): DiffPart[] {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const parts: DiffPart[] = []
  const push = (kind: DiffPart['kind'], text: string) => {
    if (!text) return
    const last = parts[parts.length - 1]
    if (last && last.kind === kind) parts[parts.length - 1] = { kind, text: last.text + text }
    else parts.push({ kind, text })
  }
  push('same', a.slice(0, start))
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  if ((midA.length + 1) * (midB.length + 1) > maxCells) {
    push('a', midA)
    push('b', midB)
  } else for (const p of lcsDiff(midA, midB)) push(p.kind, p.text)
  push('same', a.slice(endA))
  return parts
}

function lcsDiff(a: string, b: string): DiffPart[] {
  const n = a.length
  const m = b.length
  const w = m + 1
  // lengths[i * w + j]: LCS of a[i..] and b[j..].
  const lengths = new Uint32Array((n + 1) * w)
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lengths[i * w + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * w + j + 1] as number) + 1
          : Math.max(lengths[(i + 1) * w + j] as number, lengths[i * w + j + 1] as number)
  const out: DiffPart[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] as string })
      i++
      j++
    } else if (
      j >= m ||
      (i < n && (lengths[(i + 1) * w + j] as number) >= (lengths[i * w + j + 1] as number))
    ) {
      out.push({ kind: 'a', text: a[i] as string })
      i++
    } else {
      out.push({ kind: 'b', text: b[j] as string })
      j++
    }
  }
  return out
}
