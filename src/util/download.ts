/** Hands the browser a file to save, as a click on a download link would. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it starts; the URL can go after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
