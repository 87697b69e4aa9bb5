// The in-memory FirmwareLibrary against the shared contract.
import { MemoryFirmwareLibrary } from '../../src/store/memory-library.js';
import { libraryContract } from './library-contract.js';

libraryContract('MemoryFirmwareLibrary', () => {
  let t = 1_000;
  return { lib: new MemoryFirmwareLibrary(() => t), tick: (ms) => void (t += ms) };
});
