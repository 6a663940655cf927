// Saving a video to the person's downloads without the `downloads` permission: a Blob the
// extension already holds (read and checked like an attached video) gets a blob: address of
// this document's own origin, where a link's `download` attribute is honoured.

/** Starts the browser's download of `blob` as `name`. */
export function saveBlob(blob: Blob, name: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  doc.body.append(a);
  a.click();
  a.remove();
  // The download reads the Blob after this task; a minute is ample even for a slow disk.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
