// Saves data as a download the user keeps (the log report, the console's text, backups), without a server:
// an object URL on a temporary link, revoked once the browser has taken it.

export function saveFile(name: string, data: BlobPart, type = 'text/plain;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
