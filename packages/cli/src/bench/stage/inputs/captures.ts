/** Real venue captures in the repository (test/fixtures/captures) that `bench stage normalize --venue` reads. */

import { packageDir } from '@tickline/runtime';

export const CAPTURES: Readonly<Record<string, string>> = Object.freeze({
  'binance-spot': 'binance-spot-depth-2021-10-12.cap',
  'binance-usdm': 'binance-usdm-depth-2021-07-22.cap',
  'coinbase-legacy': 'coinbase-legacy-level2-2021-04-17.cap',
  'kraken-v1': 'kraken-v1-book-2021-04-17.cap',
  okx: 'okx-v5-books-2022-05-13.cap',
});

/** Dialects `bench stage normalize --venue` takes: the embedded exchange's, then the captures'. */
export const STAGE_VENUES: readonly string[] = ['sim', ...Object.keys(CAPTURES)];

export const capturePath = (venue: string): string =>
  new URL(`../../test/fixtures/captures/${CAPTURES[venue]}`, packageDir(import.meta.url)).pathname;
