/** Edit distance, for "did you mean" suggestions on unknown commands. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** The candidate closest to `word`, or null when nothing is reasonably close. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: { candidate: string; score: number } | null = null;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // Compare against the candidate-length prefix too: "提醒我" vs "提醒", "remnd" vs "remind".
    const score = Math.min(editDistance(w, c), editDistance(w.slice(0, c.length), c) + 0.5);
    if (!best || score < best.score) best = { candidate, score };
  }
  if (!best) return null;
  const limit = Math.max(1, Math.ceil(best.candidate.length / 2));
  return best.score <= limit ? best.candidate : null;
}
