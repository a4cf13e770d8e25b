/** The browser's persisted model files (Cache Storage), for listing and deleting. */
import { CacheStorageModelStore, type StoredModelFile } from './model-store.js';

/** Every model file kept in this origin's model store. */
export function listCachedModels(): Promise<StoredModelFile[]> {
  return new CacheStorageModelStore().list();
}

/** Deletes the stored files of `modelId`; resolves to how many were deleted. */
export function deleteCachedModel(modelId: string): Promise<number> {
  return new CacheStorageModelStore().delete(modelId);
}
