export type { BlobKey, BlobStore, ByteRange, StagedBlob } from './blob-store.js';
export { LocalFolderStore } from './local-folder-store.js';
export { ReadBufferPool, type LentBytes } from './lent-reads.js';
