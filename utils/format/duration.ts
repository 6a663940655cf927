// A video's length, as the poster shows it ("1:05") and as its accessible name says it.

/** m:ss (h:mm:ss from an hour on), whole seconds rounded. */
export function clockTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** Whole minutes and the seconds left, for words like "1 menit 5 detik". */
export function minutesAndSeconds(seconds: number): { minutes: number; seconds: number } {
  const s = Math.max(0, Math.round(seconds));
  return { minutes: Math.floor(s / 60), seconds: s % 60 };
}
