// File Handling API: when the installed app is opened with a .hex file from the operating
// system, the browser hands the file over through window.launchQueue.

interface LaunchParams {
  readonly files: readonly FileSystemFileHandle[];
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}

/** Calls `onFile` with each file the app was launched with; does nothing where the API is missing. */
export function consumeLaunchFiles(onFile: (file: File) => void, win: Window = window): void {
  const queue = (win as Window & { launchQueue?: LaunchQueue }).launchQueue;
  queue?.setConsumer((params) => {
    const handle = params.files[0];
    if (handle) void handle.getFile().then(onFile, () => undefined);
  });
}
