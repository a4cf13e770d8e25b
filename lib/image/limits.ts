/** Pillow's decompression-bomb limit: above 2 × 89,478,485 pixels it raises (runner row 6). */
export const MAX_IMAGE_PIXELS = 2 * 89_478_485;
