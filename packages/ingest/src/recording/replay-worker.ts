/**
 * Stage module for an ingest stage that replays a file: default-exports the replay stage factory
 * (stage config `{ venue, replay: { file, format?, speed?, batch?, collector?, flowControl? } }`). `tickline
 * replay` points the pipeline's ingest stage at this module.
 */

export { createReplayStage as default } from './replay-source.js';
