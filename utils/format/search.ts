/** Case- and accent-insensitive form of text for searching: "Pendidikan" and "pendidikan" meet, "é" finds "e". */
export function foldForSearch(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
