export { CHROMIUM_ARGS, CHROMIUM_PATH, findChromium, type LaunchedBrowser, launchChromium } from './browser.js';
export { FakePipeline, type RecordedCommand } from './fake-pipeline.js';
export { type Family, parsePrometheusText, type Sample, sampleValue } from './prom-text.js';
export { recordingLogger } from './recording-logger.js';
export type { BrowserContext, Page } from 'playwright-core';
